/**
 * Small TLS servers on loopback that stand in for channel endpoints: each answers every request
 * with its own name and counts what it served. Certificates come from a throwaway CA made here,
 * so HAProxy can verify them against a real chain.
 */
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import forge from "node-forge";

export interface TestCa {
  caFile: string;
  issue(hosts: string[]): { key: string; cert: string };
}

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { publicKey: forge.pki.publicKeyFromPem(publicKey), privateKey: forge.pki.privateKeyFromPem(privateKey), privatePem: privateKey };
}

export function makeCa(dir: string): TestCa {
  const ca = keyPair();
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.publicKey;
  caCert.serialNumber = "01";
  caCert.validity.notBefore = new Date(Date.now() - 86_400_000);
  caCert.validity.notAfter = new Date(Date.now() + 7 * 86_400_000);
  const caName = [{ name: "commonName", value: "Endpoint test CA" }];
  caCert.setSubject(caName);
  caCert.setIssuer(caName);
  caCert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());
  const caFile = path.join(dir, "endpoints-ca.pem");
  fs.writeFileSync(caFile, forge.pki.certificateToPem(caCert));
  let serial = 2;
  return {
    caFile,
    issue(hosts) {
      const leaf = keyPair();
      const cert = forge.pki.createCertificate();
      cert.publicKey = leaf.publicKey;
      cert.serialNumber = (serial++).toString(16).padStart(2, "0");
      cert.validity.notBefore = new Date(Date.now() - 86_400_000);
      cert.validity.notAfter = new Date(Date.now() + 7 * 86_400_000);
      cert.setSubject([{ name: "commonName", value: hosts[0]! }]);
      cert.setIssuer(caName);
      cert.setExtensions([
        { name: "basicConstraints", cA: false },
        { name: "extKeyUsage", serverAuth: true },
        { name: "subjectAltName", altNames: hosts.map((h) => (/^[\d.]+$/.test(h) ? { type: 7, ip: h } : { type: 2, value: h })) },
      ]);
      cert.sign(ca.privateKey, forge.md.sha256.create());
      return { key: leaf.privatePem, cert: forge.pki.certificateToPem(cert) };
    },
  };
}

export interface NamedEndpoint {
  name: string;
  port: number;
  /** `wss://localhost:PORT/NAME`, as a channel declares it. */
  endpointUrl: string;
  served(): number;
  close(): Promise<void>;
}

export async function startNamedEndpoint(ca: TestCa, name: string): Promise<NamedEndpoint> {
  let served = 0;
  const server = https.createServer(ca.issue(["localhost", "127.0.0.1"]), (_req, res) => {
    served++;
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(name);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    port,
    endpointUrl: `wss://localhost:${port}/${name}`,
    served: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Sends `count` requests through a load balancer and tallies which endpoint answered each. */
export async function tally(frontendUrl: string, count: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${frontendUrl}/`, { headers: { connection: "close" } });
    const body = res.status === 200 ? await res.text() : `HTTP ${res.status}`;
    seen[body] = (seen[body] ?? 0) + 1;
  }
  return seen;
}
