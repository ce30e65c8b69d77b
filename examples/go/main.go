// Command go-example manages a Genesys Cloud web messaging channel, its load balancer webhook, a
// Messenger configuration and a web deployment from a Go program, through the provider plugin
// pulumi-resource-genesys and its generated Go SDK (sdk/go).
//
// It runs as a Pulumi Automation API inline program: the Go program is a function of this binary,
// so no Go language host (pulumi-language-go) is needed, only the pulumi CLI on PATH. The stack's
// state goes where PULUMI_BACKEND_URL says (a file backend: file://DIR), its secrets are encrypted
// with PULUMI_CONFIG_PASSPHRASE.
//
//	go-example -plugins DIR -api-url URL -client-id ID -callback-url URL [-audit-dir DIR] up|preview|destroy
//
// The OAuth client secret and the load balancer's webhook secret are read from the environment
// (GENESYSCLOUD_OAUTHCLIENT_SECRET, GENESYS_WEBHOOK_SECRET), never from the command line, and are
// kept in the stack config as secrets. preview fails when the program would change anything.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"genesys-webmessaging/sdk/go/genesys"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// program is the Pulumi program: one org, through an explicit provider built from the stack config.
func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	org, err := genesys.NewProvider(ctx, "org", &genesys.ProviderArgs{
		ApiUrl:               pulumi.String(cfg.Require("apiUrl")),
		ClientId:             pulumi.String(cfg.Require("clientId")),
		ClientSecret:         cfg.RequireSecret("clientSecret"),
		WebhookSecret:        cfg.RequireSecret("webhookSecret"),
		AuditDir:             pulumi.StringPtr(cfg.Get("auditDir")),
		AllowPrivateNetworks: pulumi.BoolPtr(cfg.GetBool("allowPrivateNetworks")),
		// Only what is written here and in the stack config: no GENESYSCLOUD_* fallbacks.
		UseEnvironment: pulumi.BoolPtr(false),
	})
	if err != nil {
		return err
	}
	opts := pulumi.Provider(org)

	channel, err := genesys.NewWebMessagingChannel(ctx, "channel", &genesys.WebMessagingChannelArgs{
		Name:           pulumi.String("Go web chat"),
		EndpointUrl:    pulumi.String("wss://localhost:9443/go"),
		AllowedOrigins: pulumi.StringArray{pulumi.String("https://go.example.com")},
		ChannelTypes:   pulumi.StringArray{pulumi.String("webmessaging")},
		Settings: genesys.WebMessagingChannelSettingsArgs{
			MaxConcurrentSessions: pulumi.Int(100),
			RateLimitThreshold:    pulumi.Int(50),
		},
	}, opts)
	if err != nil {
		return err
	}
	if _, err := genesys.NewLoadBalancerWebhook(ctx, "webhook", &genesys.LoadBalancerWebhookArgs{
		Name:        pulumi.String("Go load balancer"),
		BrandId:     channel.BrandId,
		CallbackUrl: pulumi.String(cfg.Require("callbackUrl")),
	}, opts); err != nil {
		return err
	}
	messenger, err := genesys.NewWebDeploymentConfiguration(ctx, "messenger", &genesys.WebDeploymentConfigurationArgs{
		Name:            pulumi.String("Go Messenger"),
		Languages:       pulumi.StringArray{pulumi.String("en-us")},
		DefaultLanguage: pulumi.String("en-us"),
		Messenger: genesys.WebDeploymentConfigurationMessengerArgs{
			Enabled:        pulumi.Bool(true),
			Styles:         genesys.WebDeploymentConfigurationMessengerStylesArgs{PrimaryColor: pulumi.String("#112233")},
			LauncherButton: genesys.WebDeploymentConfigurationMessengerLauncherButtonArgs{Visibility: pulumi.String("On")},
		},
	}, opts)
	if err != nil {
		return err
	}
	site, err := genesys.NewWebDeployment(ctx, "site", &genesys.WebDeploymentArgs{
		Name:           pulumi.String("Go site"),
		AllowedDomains: pulumi.StringArray{pulumi.String("go.example.com")},
		// A reference to the configuration resource: its id and published version.
		Configuration: genesys.WebDeploymentConfigurationRefArgs{
			Id:      messenger.ConfigurationId,
			Version: messenger.Version,
		},
	}, opts)
	if err != nil {
		return err
	}
	ctx.Export("brandId", channel.BrandId)
	ctx.Export("deploymentId", site.DeploymentId)
	return nil
}

func main() {
	plugins := flag.String("plugins", "", "the folder holding pulumi-resource-genesys (the package's bin/)")
	apiURL := flag.String("api-url", "", "the Genesys Cloud API, such as https://api.mypurecloud.ie")
	clientID := flag.String("client-id", "", "the OAuth client id")
	callbackURL := flag.String("callback-url", "", "where the load balancer's sync service receives deliveries")
	auditDir := flag.String("audit-dir", "", "the provider's audit folder")
	private := flag.Bool("allow-private-networks", false, "allow an API on a private network (an emulator on localhost)")
	stackName := flag.String("stack", "dev", "the stack")
	flag.Parse()
	if flag.NArg() != 1 || *plugins == "" || *apiURL == "" || *clientID == "" || *callbackURL == "" {
		fmt.Fprintln(os.Stderr, "usage: go-example -plugins DIR -api-url URL -client-id ID -callback-url URL [-audit-dir DIR] up|preview|destroy")
		os.Exit(2)
	}
	if err := run(context.Background(), flag.Arg(0), *stackName, *plugins, map[string]auto.ConfigValue{
		"apiUrl":               {Value: *apiURL},
		"clientId":             {Value: *clientID},
		"callbackUrl":          {Value: *callbackURL},
		"auditDir":             {Value: *auditDir},
		"allowPrivateNetworks": {Value: fmt.Sprint(*private)},
		"clientSecret":         {Value: requireEnv("GENESYSCLOUD_OAUTHCLIENT_SECRET"), Secret: true},
		"webhookSecret":        {Value: requireEnv("GENESYS_WEBHOOK_SECRET"), Secret: true},
	}); err != nil {
		fmt.Fprintln(os.Stderr, "go-example:", err)
		os.Exit(1)
	}
}

func requireEnv(name string) string {
	value := os.Getenv(name)
	if value == "" {
		fmt.Fprintf(os.Stderr, "go-example: set %s in the environment\n", name)
		os.Exit(2)
	}
	return value
}

func run(ctx context.Context, command, stackName, plugins string, settings map[string]auto.ConfigValue) error {
	project := workspace.Project{
		Name:    "genesys-go",
		Runtime: workspace.NewProjectRuntimeInfo("go", nil),
		// The engine finds the plugin here, as a YAML or TypeScript program's Pulumi.yaml says it.
		Plugins: &workspace.Plugins{Providers: []workspace.PluginOptions{{Name: "genesys", Path: plugins}}},
	}
	// The workspace (Pulumi.yaml and the stack's config file) lives only as long as this command:
	// the stack config is set again from the flags each time, the state is in the backend.
	workDir, err := os.MkdirTemp("", "genesys-go-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(workDir) }()
	stack, err := auto.UpsertStackInlineSource(ctx, stackName, project.Name.String(), program, auto.Project(project), auto.WorkDir(workDir))
	if err != nil {
		return fmt.Errorf("stack %s: %w", stackName, err)
	}
	// Config keys without a namespace belong to the project.
	prefixed := make(auto.ConfigMap, len(settings))
	for key, value := range settings {
		prefixed[project.Name.String()+":"+key] = value
	}
	if err := stack.SetAllConfig(ctx, prefixed); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	switch command {
	case "up":
		res, err := stack.Up(ctx, optup.ProgressStreams(os.Stdout), optup.ErrorProgressStreams(os.Stderr))
		if err != nil {
			return err
		}
		fmt.Printf("outputs: brandId=%v deploymentId=%v\n", res.Outputs["brandId"].Value, res.Outputs["deploymentId"].Value)
	case "preview":
		_, err := stack.Preview(ctx, optpreview.ExpectNoChanges(), optpreview.ProgressStreams(os.Stdout), optpreview.ErrorProgressStreams(os.Stderr))
		return err
	case "destroy":
		_, err := stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stdout), optdestroy.ErrorProgressStreams(os.Stderr))
		return err
	default:
		return fmt.Errorf("unknown command %q: up, preview or destroy", command)
	}
	return nil
}
