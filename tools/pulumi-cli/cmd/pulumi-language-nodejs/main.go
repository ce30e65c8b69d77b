// Command pulumi-language-nodejs is a small Node.js language host for the Pulumi engine.
//
// Upstream publishes its Node language host as an untagged Go module that the module proxy
// reachable from this project's machines does not serve, so the toolchain builds this one
// instead. It implements the part of the LanguageRuntime protocol that `pulumi preview`,
// `up`, `refresh`, `destroy` and `stack` need: the program is run by the Node SDK's own
// `@pulumi/pulumi/cmd/run` entry point, exactly as the upstream host does. Everything the
// engine may ask beyond that (code generation, packing, templates) answers Unimplemented,
// which the engine treats as "not supported by this language".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/google/shlex"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The Node SDK exits with this code when it has already reported the error to the engine,
// which then must not print a second, less helpful message ("bail").
const nodeExitAfterReportedError = 32

// version is set at build time to the Pulumi release the toolchain pins.
var version = "3.248.0"

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	nodeBin       string
	engineAddress string
	tracing       string

	// The Node programs running now, so that the host can take them down with it when the
	// engine is gone (they would otherwise wait on a resource monitor that no longer exists).
	mu       sync.Mutex
	programs map[*exec.Cmd]struct{}
}

func main() {
	tracing := flag.String("tracing", "", "Zipkin-compatible tracing endpoint (passed to the program)")
	flag.String("root", "", "ignored: the engine passes the project root in each request")
	// Upstream's obsolete flags, accepted so that a command line written for its host still works;
	// the runtime options of Pulumi.yaml, which the engine passes with each Run, are what count.
	flag.Bool("typescript", true, "ignored: use the typescript runtime option in Pulumi.yaml")
	flag.String("tsconfig", "", "ignored: use the tsconfig runtime option in Pulumi.yaml")
	flag.String("nodeargs", "", "ignored: use the nodeargs runtime option in Pulumi.yaml")
	flag.String("packagemanager", "", "ignored: dependencies are installed by npm ci")
	flag.Parse()

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-nodejs: node is not on PATH; install Node.js 20 or newer")
		os.Exit(1)
	}
	h := &host{nodeBin: nodeBin, tracing: *tracing, programs: map[*exec.Cmd]struct{}{}}
	if args := flag.Args(); len(args) > 0 {
		h.engineAddress = args[0]
	}
	// A killed CLI never stops its plugins: each one must notice by itself that the engine is
	// gone (as upstream's Go plugins do with rpcutil.Healthcheck), or it waits forever.
	go func() {
		reason := watchEngine(h.engineAddress, defaultWatch)
		h.stopPrograms()
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %s; exiting\n", reason)
		os.Exit(1)
	}()

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: cannot start the RPC server: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from our first line of output.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: RPC server stopped: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// The project's only provider is the Node dynamic provider, which the engine finds on PATH;
// reporting no packages keeps the engine from trying to download any plugin.
func (h *host) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) InstallDependencies(_ *pulumirpc.InstallDependenciesRequest, _ pulumirpc.LanguageRuntime_InstallDependenciesServer) error {
	// Dependencies are installed with npm ci by the project's scripts, never by the engine.
	return nil
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	out, err := exec.Command(h.nodeBin, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: h.nodeBin,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

func (h *host) GetProgramDependencies(context.Context, *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

func (h *host) RuntimeOptionsPrompts(context.Context, *pulumirpc.RuntimeOptionsRequest) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	pwd := req.GetPwd()
	runPath, err := resolveRunScript(h.nodeBin, pwd)
	if err != nil {
		return nil, err
	}
	opts, err := parseRuntimeOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return &pulumirpc.RunResponse{Error: "Pulumi.yaml runtime options: " + err.Error()}, nil
	}
	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, fmt.Errorf("serialising stack config: %w", err)
	}
	secretKeys, err := json.Marshal(req.GetConfigSecretKeys())
	if err != nil {
		return nil, fmt.Errorf("serialising secret config keys: %w", err)
	}

	args := append(append([]string{}, opts.nodeArgs...), runPath)
	flagArg := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagArg("monitor", req.GetMonitorAddress())
	flagArg("engine", h.engineAddress)
	flagArg("organization", req.GetOrganization())
	flagArg("project", req.GetProject())
	flagArg("stack", req.GetStack())
	flagArg("pwd", pwd)
	if info := req.GetInfo(); info != nil {
		flagArg("root-directory", info.GetRootDirectory())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flagArg("parallel", strconv.Itoa(int(req.GetParallel())))
	flagArg("tracing", h.tracing)
	program := req.GetProgram()
	if program == "" {
		program = "."
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	cmd := exec.CommandContext(ctx, h.nodeBin, args...)
	cmd.Dir = pwd
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys),
	)
	cmd.Env = append(cmd.Env, opts.env()...)
	if err := h.runProgram(cmd); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if status, ok := exitErr.Sys().(syscall.WaitStatus); ok {
				if status.ExitStatus() == nodeExitAfterReportedError {
					return &pulumirpc.RunResponse{Bail: true}, nil
				}
				return &pulumirpc.RunResponse{Error: fmt.Sprintf("the Node.js program exited with code %d", status.ExitStatus())}, nil
			}
			return &pulumirpc.RunResponse{Error: "the Node.js program exited unexpectedly: " + exitErr.Error()}, nil
		}
		return &pulumirpc.RunResponse{Error: "could not start the Node.js program: " + err.Error()}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// resolveRunScript finds @pulumi/pulumi/cmd/run the way Node would from the program directory,
// so a program in a subfolder of a workspace still finds its SDK.
func resolveRunScript(nodeBin, pwd string) (string, error) {
	cmd := exec.Command(nodeBin, "-e", "process.stdout.write(require.resolve('@pulumi/pulumi/cmd/run'))")
	cmd.Dir = pwd
	out, err := cmd.Output()
	if err != nil || len(out) == 0 {
		return "", fmt.Errorf("the Pulumi Node SDK is not installed in %s: run `npm ci` there first", pwd)
	}
	return filepath.Dir(string(out)), nil
}

// runProgram runs one Node program to completion, registered so that stopPrograms can end it.
func (h *host) runProgram(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	h.mu.Lock()
	h.programs[cmd] = struct{}{}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.programs, cmd)
		h.mu.Unlock()
	}()
	return cmd.Wait()
}

// stopPrograms kills every running program: called only once the engine is gone, when no
// result of theirs can be delivered any more.
func (h *host) stopPrograms() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for cmd := range h.programs {
		_ = cmd.Process.Kill()
	}
}

// runtimeOptions are the `runtime.options` of Pulumi.yaml that upstream's Node host honours
// when it runs a program; `packagemanager` only concerns installs, which this host leaves to npm.
type runtimeOptions struct {
	typescript   bool
	tsconfigPath string
	nodeArgs     []string
}

func parseRuntimeOptions(options map[string]interface{}) (runtimeOptions, error) {
	// As upstream: TypeScript is on unless a project turns it off, so a program whose main is a
	// .ts file runs through ts-node without a build step.
	opts := runtimeOptions{typescript: true}
	if v, ok := options["typescript"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return opts, fmt.Errorf("typescript must be true or false, got %v", v)
		}
		opts.typescript = b
	}
	if v, ok := options["tsconfig"]; ok {
		s, isString := v.(string)
		if !isString {
			return opts, fmt.Errorf("tsconfig must be a path to a tsconfig file, got %v", v)
		}
		opts.tsconfigPath = s
	}
	if v, ok := options["nodeargs"]; ok {
		s, isString := v.(string)
		if !isString {
			return opts, fmt.Errorf("nodeargs must be a string of Node.js options, got %v", v)
		}
		args, err := shlex.Split(s)
		if err != nil {
			return opts, fmt.Errorf("nodeargs %q: %w", s, err)
		}
		opts.nodeArgs = args
	}
	return opts, nil
}

// env is what @pulumi/pulumi/cmd/run reads to decide whether to register ts-node and with which
// tsconfig (the same variables upstream's host sets).
func (o runtimeOptions) env() []string {
	var env []string
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfigPath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfigPath)
	}
	return env
}
