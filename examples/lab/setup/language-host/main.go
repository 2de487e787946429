// SPDX-License-Identifier: MIT

// Command pulumi-language-nodejs is the workbench's own, minimal language host
// for `runtime: nodejs` projects. The engine starts it with its own gRPC
// address as the last argument; the host serves the LanguageRuntime service on
// a free local port, prints that port as the first line on stdout, and runs a
// program by starting `node` (from PATH) on the program runner that ships in
// the @pulumi/pulumi npm package (@pulumi/pulumi/cmd/run), passing the monitor
// and engine addresses, project, stack and the rest as that runner's flags and
// the configuration through PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS.
//
// What it leaves out: plugin discovery in node_modules (GetRequiredPackages
// reports none), dependency installation (a no-op), code generation, packing,
// linking, templates and RunPlugin (Unimplemented).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is what GetPluginInfo reports; the set-up stamps the pinned Pulumi
// version in with -ldflags "-X main.version=...".
var version = "3.274.1"

// bailExitCode is the exit code with which the runner says it has already
// reported the failure to the user (through the engine's log), so the engine
// should stop without printing anything more.
const bailExitCode = 32

// runnerModule is the runner's location inside a node_modules folder.
var runnerModule = filepath.Join("@pulumi", "pulumi", "cmd", "run", "index.js")

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	engineAddress string
	tracing       string

	mu      sync.Mutex
	running map[*exec.Cmd]struct{}
}

func main() {
	// --version lets the set-up check that a cached binary really runs.
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		fmt.Println(version)
		return
	}
	engine, tracing := parseArgs(os.Args[1:])
	h := &host{engineAddress: engine, tracing: tracing, running: map[*exec.Cmd]struct{}{}}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of our stdout.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

// parseArgs takes the engine address (the last positional argument) and the
// tracing endpoint out of the command line. The engine may also pass logging
// flags (--logtostderr, -v=N); they are accepted and ignored.
func parseArgs(args []string) (engine, tracing string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			engine = a
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "tracing" {
			if !hasValue && i+1 < len(args) {
				i++
				value = args[i]
			}
			tracing = value
		}
	}
	return engine, tracing
}

// programLocation gives the project root, the directory the program runs in
// and the entry point ("." or a file name inside that directory).
func programLocation(info *pulumirpc.ProgramInfo, pwd, program string) (root, dir, entry string) {
	if info != nil && info.GetProgramDirectory() != "" {
		root, dir, entry = info.GetRootDirectory(), info.GetProgramDirectory(), info.GetEntryPoint()
	} else {
		dir, entry = pwd, program
	}
	if dir == "" {
		dir, _ = os.Getwd()
	}
	if root == "" {
		root = dir
	}
	if entry == "" {
		entry = "."
	}
	return root, dir, entry
}

// findRunner looks for @pulumi/pulumi's program runner in the node_modules
// folders from dir upwards, then in NODE_PATH.
func findRunner(dir string) (string, error) {
	for d := dir; ; {
		p := filepath.Join(d, "node_modules", runnerModule)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	for _, d := range filepath.SplitList(os.Getenv("NODE_PATH")) {
		if d == "" {
			continue
		}
		p := filepath.Join(d, runnerModule)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("could not find %s in a node_modules folder above %s or in NODE_PATH; "+
		"install @pulumi/pulumi in the project (npm install)", filepath.Join("@pulumi", "pulumi"), dir)
}

// runtimeOption reads one of Pulumi.yaml's runtime.options.
func runtimeOption(info *pulumirpc.ProgramInfo, name string) (any, bool) {
	if info.GetOptions() == nil {
		return nil, false
	}
	v, ok := info.GetOptions().GetFields()[name]
	if !ok {
		return nil, false
	}
	return v.AsInterface(), true
}

func (h *host) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// GetRequiredPlugins reports none: the workbench's programs use dynamic
// providers only, whose plugin (pulumi-resource-pulumi-nodejs) sits next to
// the CLI.
func (h *host) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// InstallDependencies does nothing: the workbench's set-up installs the npm
// packages itself.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	stream grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	return nil
}

func (h *host) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, status.Errorf(codes.FailedPrecondition, "node is not on PATH: %v", err)
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, status.Errorf(codes.Internal, "%s --version: %v", node, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// GetProgramDependencies lists the dependencies declared in the program's
// package.json with the versions installed in node_modules (or the declared
// range when a package is not installed).
func (h *host) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	_, dir, _ := programLocation(req.GetInfo(), req.GetPwd(), req.GetProgram()) //nolint:staticcheck
	manifest := ""
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "package.json")); err == nil {
			manifest = filepath.Join(d, "package.json")
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if manifest == "" {
		return &pulumirpc.GetProgramDependenciesResponse{}, nil
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	data, err := os.ReadFile(manifest)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "reading %s: %v", manifest, err)
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "parsing %s: %v", manifest, err)
	}
	names := make([]string, 0, len(pkg.Dependencies))
	for name := range pkg.Dependencies {
		names = append(names, name)
	}
	sort.Strings(names)
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, name := range names {
		v := installedVersion(filepath.Dir(manifest), name)
		if v == "" {
			v = pkg.Dependencies[name]
		}
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: name, Version: v})
	}
	return resp, nil
}

func installedVersion(from, name string) string {
	for d := from; ; {
		data, err := os.ReadFile(filepath.Join(d, "node_modules", name, "package.json"))
		if err == nil {
			var p struct {
				Version string `json:"version"`
			}
			if json.Unmarshal(data, &p) == nil {
				return p.Version
			}
			return ""
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// Cancel asks running programs to stop; the engine calls it when the user
// interrupts an operation.
func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for cmd := range h.running {
		if cmd.Process != nil {
			_ = cmd.Process.Signal(syscall.SIGINT)
		}
	}
	return &emptypb.Empty{}, nil
}

// Run executes the program with node and the @pulumi/pulumi runner. A program
// failure is reported in RunResponse (Error, or Bail when the runner has
// already shown it to the user); a gRPC error means the host itself failed.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	root, dir, entry := programLocation(info, req.GetPwd(), req.GetProgram()) //nolint:staticcheck

	runner, err := findRunner(dir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "node is not on PATH: " + err.Error()}, nil
	}

	// With entry "." the runner falls back to package.json's exports/main.
	// That fallback is right only when Pulumi.yaml names no main; when its
	// main is a directory below the project root, that directory is the
	// program, so it is passed explicitly.
	program := entry
	if entry == "." && filepath.Clean(dir) != filepath.Clean(root) {
		program = dir
	}

	var args []string
	if v, ok := runtimeOption(info, "nodeargs"); ok {
		if s, ok := v.(string); ok {
			args = append(args, strings.Fields(s)...)
		}
	}
	args = append(args, runner,
		"--monitor="+req.GetMonitorAddress(),
		"--project="+req.GetProject(),
		"--stack="+req.GetStack(),
		"--pwd="+dir,
		"--root-directory="+root,
		"--parallel="+strconv.Itoa(int(req.GetParallel())),
	)
	if h.engineAddress != "" {
		args = append(args, "--engine="+h.engineAddress)
	}
	if req.GetOrganization() != "" {
		args = append(args, "--organization="+req.GetOrganization())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if h.tracing != "" {
		args = append(args, "--tracing="+h.tracing)
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	// The runner parses both variables as JSON, so they must never be "null".
	configMap := req.GetConfig()
	if configMap == nil {
		configMap = map[string]string{}
	}
	config, err := json.Marshal(configMap)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "encoding config: %v", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secrets, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "encoding secret config keys: %v", err)
	}

	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secrets),
	)
	// TypeScript is on unless Pulumi.yaml turns it off, as for any nodejs
	// project; the runner then needs ts-node to be installed.
	typescript := true
	if v, ok := runtimeOption(info, "typescript"); ok {
		if b, ok := v.(bool); ok {
			typescript = b
		}
	}
	env = append(env, "PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(typescript))
	if v, ok := runtimeOption(info, "tsconfig"); ok {
		if s, ok := v.(string); ok && s != "" {
			env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+s)
		}
	}

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	// When the engine goes away mid-run, ask node to stop, then kill it.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second

	if err := cmd.Start(); err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("starting %s: %v", node, err)}, nil
	}
	h.mu.Lock()
	h.running[cmd] = struct{}{}
	h.mu.Unlock()
	err = cmd.Wait()
	h.mu.Lock()
	delete(h.running, cmd)
	h.mu.Unlock()

	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("running the program: %v", err)}, nil
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("the program was stopped by signal %v", ws.Signal())}, nil
	}
	if exit.ExitCode() == bailExitCode {
		return &pulumirpc.RunResponse{Bail: true}, nil
	}
	return &pulumirpc.RunResponse{
		Error: fmt.Sprintf("the program exited with code %d", exit.ExitCode()),
	}, nil
}
