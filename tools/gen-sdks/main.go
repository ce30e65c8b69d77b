// Command gen-sdks writes the genesys package's SDKs from its schema with Pulumi's own code
// generators, the ones `pulumi package gen-sdk` reaches through each language's host. Those hosts
// are not all available here (the Node host this project builds does not implement
// GeneratePackage; the Go, Python and .NET hosts' modules are not served), so this calls the
// generators directly, at the release the CLI is built from.
//
//	gen-sdks SCHEMA_JSON OUT_DIR LANGUAGE...
//
// Each LANGUAGE (nodejs, go, python) is written to OUT_DIR/LANGUAGE, replacing what was there.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "gen-sdks"

// Package names per language. The plugin's schema carries none, so without these each SDK would
// take Pulumi's own names (@pulumi/genesys, github.com/pulumi/pulumi-genesys/...), which belong to
// Pulumi's registry and could never be published by this project.
var languages = map[string]any{
	"nodejs": map[string]any{"packageName": "@genesys-webmessaging/pulumi-genesys"},
	"go": map[string]any{
		"importBasePath": "genesys-webmessaging/sdk/go/genesys",
		"modulePath":     "genesys-webmessaging/sdk/go",
	},
	"python": map[string]any{"packageName": "pulumi_genesys_webmessaging"},
}

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: gen-sdks SCHEMA_JSON OUT_DIR LANGUAGE...")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen-sdks:", err)
		os.Exit(1)
	}
}

func run(schemaPath, outDir string, langs []string) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	for _, lang := range langs {
		// Each generator records its own settings on the bound package: bind afresh per language.
		pkg, err := bind(raw)
		if err != nil {
			return err
		}
		var files map[string][]byte
		switch lang {
		case "nodejs":
			files, err = nodejs.GeneratePackage(tool, pkg, nil, nil, false, nil)
		case "go":
			files, err = gogen.GeneratePackage(tool, pkg, nil)
		case "python":
			files, err = python.GeneratePackage(tool, pkg, nil, nil)
		default:
			err = fmt.Errorf("language %q: not one of nodejs, go, python (the .NET generator is not in pkg/v3 %s)", lang, "v3.248.0")
		}
		if err != nil {
			return fmt.Errorf("%s: %w", lang, err)
		}
		if err := write(filepath.Join(outDir, lang), files); err != nil {
			return err
		}
		fmt.Printf("%s: %d files in %s\n", lang, len(files), filepath.Join(outDir, lang))
	}
	return nil
}

func bind(raw []byte) (*schema.Package, error) {
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	if spec.Language == nil {
		spec.Language = map[string]schema.RawMessage{}
	}
	for lang, info := range languages {
		if _, set := spec.Language[lang]; set {
			continue
		}
		b, err := json.Marshal(info)
		if err != nil {
			return nil, err
		}
		spec.Language[lang] = b
	}
	// A package with its own go.mod, package.json and pyproject.toml (Pulumi's "support pack" layout).
	if spec.Meta == nil {
		spec.Meta = &schema.MetadataSpec{}
	}
	spec.Meta.SupportPack = true
	pkg, diags, err := schema.BindSpec(spec, schema.NewNullLoader(), schema.ValidationOptions{})
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return pkg, nil
}

func write(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}
