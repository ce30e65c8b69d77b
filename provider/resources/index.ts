/**
 * Every resource the provider serves, one line each, in the order the reference lists them. The
 * runtime's exports, the plugin's tokens and schema and the reference pages are all made from this
 * list: adding a resource is its folder (provider/resources/<kind>/) and its line here.
 */
export { channel } from "./channel/definition";
export { webhook } from "./webhook/definition";
export { webDeploymentConfiguration } from "./webDeploymentConfiguration/definition";
export { webDeployment } from "./webDeployment/definition";
