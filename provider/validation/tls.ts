import { X509Certificate } from "node:crypto";
import { issue, type PathSegment, type ValidationIssue } from "./issues";

/** A leaf (or any certificate of the chain) this close to expiry gets a warning, not an error. */
const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

const BEGIN = /^-----BEGIN ([A-Z0-9 ]+)-----$/;
const END = /^-----END ([A-Z0-9 ]+)-----$/;
const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

interface PemBlock {
  label: string;
  body: string;
  /** Index of the array element holding the BEGIN line: where the user should look. */
  element: number;
}

interface ParsedCertificate {
  certificate: X509Certificate;
  element: number;
}

/**
 * Reads the chain in either accepted form: one full PEM per element, or one line of PEM text per
 * element (the form the source design shows). Both are the same text once joined, so a single
 * line-oriented pass handles them, remembering which element each certificate started in.
 */
function readPemBlocks(chain: readonly string[], basePath: readonly PathSegment[], issues: ValidationIssue[]): PemBlock[] {
  const blocks: PemBlock[] = [];
  const straysReported = new Set<number>();
  let open: { label: string; lines: string[]; element: number } | undefined;
  chain.forEach((entry, element) => {
    for (const rawLine of entry.split(/\r?\n/)) {
      const line = rawLine.trim();
      if (line === "") continue;
      const begin = BEGIN.exec(line);
      const end = END.exec(line);
      if (begin) {
        if (open)
          issues.push(
            issue(
              [...basePath, open.element],
              `has a -----BEGIN ${open.label}----- with no matching END line; paste the complete PEM block`,
            ),
          );
        open = { label: begin[1]!, lines: [], element };
      } else if (end) {
        if (!open) {
          issues.push(
            issue([...basePath, element], `has an -----END ${end[1]}----- line with no BEGIN line before it; paste the complete PEM block`),
          );
        } else if (end[1] !== open.label) {
          issues.push(
            issue(
              [...basePath, open.element],
              `-----BEGIN ${open.label}----- is closed by -----END ${end[1]}-----; paste the complete PEM block`,
            ),
          );
          open = undefined;
        } else {
          blocks.push({ label: open.label, body: open.lines.join(""), element: open.element });
          open = undefined;
        }
      } else if (open) {
        open.lines.push(line);
      } else if (!straysReported.has(element)) {
        straysReported.add(element);
        issues.push(
          issue(
            [...basePath, element],
            `has text outside a PEM block; each entry must be a whole PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----) or one line of one`,
          ),
        );
      }
    }
  });
  if (open)
    issues.push(
      issue([...basePath, open.element], `has a -----BEGIN ${open.label}----- with no matching END line; paste the complete PEM block`),
    );
  return blocks;
}

/** Parses every certificate of the chain; anything unusable becomes an issue at the element it starts in. */
function parseCertificateChain(
  chain: readonly string[],
  basePath: readonly PathSegment[] = ["settings", "tlsCertificateChain"],
): { certificates: ParsedCertificate[]; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const blocks = readPemBlocks(chain, basePath, issues);
  const certificates: ParsedCertificate[] = [];
  for (const block of blocks) {
    const path = [...basePath, block.element];
    if (block.label !== "CERTIFICATE") {
      const secret = block.label.includes("PRIVATE KEY");
      issues.push(
        issue(
          path,
          secret
            ? `is a private key (${block.label}); a definition must never hold private keys: remove it, and rotate the key since it may already be in version control`
            : `is a ${block.label} block; only CERTIFICATE blocks belong in the chain`,
        ),
      );
      continue;
    }
    if (block.body === "") {
      issues.push(
        issue(
          path,
          `is an empty certificate (BEGIN and END lines with nothing between them); paste the full PEM certificate, or leave tlsCertificateChain out`,
        ),
      );
      continue;
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(block.body)) {
      issues.push(issue(path, `cannot be parsed: the PEM body is not base64; export the certificate again in PEM format`));
      continue;
    }
    try {
      certificates.push({ certificate: new X509Certificate(Buffer.from(block.body, "base64")), element: block.element });
    } catch (error) {
      issues.push(
        issue(path, `cannot be parsed as an X.509 certificate (${(error as Error).message}); export the certificate again in PEM format`),
      );
    }
  }
  return { certificates, issues };
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function subjectOf(certificate: X509Certificate): string {
  return certificate.subject.replace(/\n/g, ", ");
}

/**
 * Everything a client-side check can say about a TLS chain without a trust store or the network:
 * it parses, every certificate is inside its validity window, each certificate is issued by the
 * next one, and the leaf covers the endpoint's host.
 */
export function checkCertificateChain(
  chain: readonly string[],
  opts: { host?: string; now: Date; basePath?: readonly PathSegment[] },
): { issues: ValidationIssue[]; warnings: string[] } {
  const basePath = opts.basePath ?? ["settings", "tlsCertificateChain"];
  const { certificates, issues } = parseCertificateChain(chain, basePath);
  const warnings: string[] = [];
  const now = opts.now.getTime();
  const count = certificates.length;
  const label = (i: number) => (i === 0 ? "the leaf certificate" : `certificate ${i + 1} of ${count}`);

  certificates.forEach(({ certificate, element }, i) => {
    const path = [...basePath, element];
    const from = new Date(certificate.validFrom);
    const to = new Date(certificate.validTo);
    if (from.getTime() > now) {
      issues.push(
        issue(
          path,
          `${label(i)} (${subjectOf(certificate)}) is not valid yet: valid from ${from.toISOString()}; wait until then or use a certificate that is valid now`,
        ),
      );
    } else if (to.getTime() < now) {
      issues.push(
        issue(path, `${label(i)} (${subjectOf(certificate)}) expired on ${to.toISOString()}; renew it and replace it in the chain`),
      );
    } else if (to.getTime() - now < EXPIRY_WARNING_DAYS * DAY_MS) {
      const days = Math.ceil((to.getTime() - now) / DAY_MS);
      warnings.push(
        `${issue(path, "").path}: ${label(i)} (${subjectOf(certificate)}) expires on ${isoDay(to)}, in ${days} day${days === 1 ? "" : "s"}; renew it soon`,
      );
    }
    const next = certificates[i + 1];
    if (next) {
      // checkIssued compares names and key identifiers only; verify proves the issuer really signed it.
      if (!certificate.checkIssued(next.certificate)) {
        issues.push(
          issue(
            path,
            `${label(i)} is not issued by the next certificate in the chain (its issuer is "${certificate.issuer.replace(/\n/g, ", ")}", the next certificate is "${subjectOf(next.certificate)}"); order the chain leaf first, then each issuer`,
          ),
        );
      } else if (!certificate.verify(next.certificate.publicKey)) {
        issues.push(
          issue(
            path,
            `${label(i)} names the next certificate as its issuer but its signature does not verify with that certificate's key; the chain mixes certificates from different issuers, rebuild it from your CA's bundle`,
          ),
        );
      }
    }
  });

  const leaf = certificates[0];
  if (leaf && opts.host) {
    const host = opts.host;
    const isIp = /^[0-9.]+$/.test(host) || host.includes(":");
    const matched = isIp ? leaf.certificate.checkIP(host) : leaf.certificate.checkHost(host);
    if (matched === undefined) {
      const covers = leaf.certificate.subjectAltName ?? subjectOf(leaf.certificate);
      issues.push(
        issue(
          [...basePath, leaf.element],
          `the leaf certificate does not cover the endpointUrl host "${host}" (it covers ${covers}); use a certificate issued for ${host}, or fix endpointUrl`,
        ),
      );
    }
  }
  return { issues, warnings };
}

/**
 * The canonical text of a chain for diffs: one standard PEM block per certificate, whichever form
 * was written. Text that is not a clean sequence of PEM blocks is returned unchanged, so a diff
 * never hides what the user actually wrote.
 */
export function canonicalPemChain(chain: readonly string[]): string[] {
  const text = chain.join("\n");
  const blocks = [...text.matchAll(BLOCK)];
  if (blocks.length === 0 || text.replace(BLOCK, "").trim() !== "") return [...chain];
  return blocks.map(([, label, body]) => {
    const compact = (body ?? "").replace(/\s+/g, "");
    const lines = compact.match(/.{1,64}/g) ?? [];
    return [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`, ""].join("\n");
  });
}
