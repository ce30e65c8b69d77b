// Genesys Cloud web messaging channels, load balancer webhooks and web deployments.
package genesys
