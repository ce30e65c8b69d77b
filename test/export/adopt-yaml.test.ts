/**
 * The YAML export (Pulumi.yaml's resources on the provider plugin in this checkout's bin/) adopted by
 * following its README with the real CLI: see adoption.ts.
 */
import { describeAdoption } from "./adoption";

describeAdoption({
  language: "yaml",
  program: "Pulumi.yaml",
  addDomain: (source) => source.replace(/^( +)- "shop\.example\.com"$/m, '$1- "shop.example.com"\n$1- "checkout.example.com"'),
});
