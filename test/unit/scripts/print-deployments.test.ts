import { describe, expect, it } from "vitest";
import { deploymentRows, firstLine, formatTable } from "../../../scripts/print-deployments";

describe("npm start's web deployments table", () => {
  it("shows each deployment's id, status and the first non-blank line of its snippet", () => {
    const rows = deploymentRows({
      "support-site": {
        name: "Support",
        deploymentId: "d-1",
        status: "Active",
        snippet: '\n<script type="text/javascript">\n  (function () {})();\n</script>',
      },
      shop: { name: "Shop", deploymentId: "d-2", status: "Pending" },
    });
    expect(rows).toEqual([
      ["support-site", "Support", "d-1", "Active", '<script type="text/javascript">'],
      ["shop", "Shop", "d-2", "Pending", ""],
    ]);
    const table = formatTable(["resource", "name", "id", "status", "snippet"], rows).split("\n");
    expect(table[0]).toMatch(/^resource\s+name\s+id\s+status\s+snippet$/);
    expect(table[2]).toMatch(/^support-site\s+Support\s+d-1\s+Active\s+<script/);
    expect(table).toHaveLength(4);
  });

  it("shortens a long first line so the table stays readable", () => {
    expect(firstLine("x".repeat(150))).toBe(`${"x".repeat(97)}...`);
  });
});
