import { describe, expect, it } from "vitest";
import { checkEndpointUrl } from "../../../provider/validation/endpoint";
import { validateChannel } from "../../../provider/resources/channel/schema";
import { minimal } from "./fixtures";

describe("endpointUrl host names", () => {
  it.each([
    "https://a);help;b.example/",
    "https://a;help;b.example:1/",
    "https://a);operator;help;b.example:1/",
    "https://a%3bhelp.example/",
    "https://a_b.example/",
    "https://-chat.example.com/",
    "https://chat-.example.com/",
    `https://${"x".repeat(64)}.example.com/`,
    "https://{chat}.example.com/",
    "https://chat$.example.com/",
  ])("refuses %s at preview, naming the host and the characters allowed", (url) => {
    const result = validateChannel(minimal((d) => (d.endpointUrl = url)));
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues).toEqual([
      {
        path: "endpointUrl",
        message:
          `host "${new URL(url).hostname}" is not a DNS name or an IP address; use letters, digits, hyphens and dots only ` +
          `(each label 1-63 characters, not starting or ending with "-"), e.g. "https://chat.example.com/messages"`,
      },
    ]);
  });

  it.each([
    "https://chat.example.com/messages",
    "wss://chat-1.eu.example.com:8443/ws",
    "https://CHAT.Example.COM/",
    "https://chat.example.com./",
    "https://bücher.example/",
    "https://192.0.2.10:8443/",
    "https://[2001:db8::1]:8443/",
    `https://${"x".repeat(63)}.example.com/`,
  ])("accepts %s", (url) => {
    expect(checkEndpointUrl(url).issues).toEqual([]);
  });
});
