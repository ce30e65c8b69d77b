/**
 * The TypeScript export (the package's dynamic resources, installed with `npm install` from the npm
 * cache against this checkout) adopted by following its README with the real CLI: see adoption.ts.
 */
import { describeAdoption } from "./adoption";

describeAdoption({
  language: "typescript",
  program: "index.ts",
  addDomain: (source) => source.replace('"shop.example.com",', '"shop.example.com",\n    "checkout.example.com",'),
});
