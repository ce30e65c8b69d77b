package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// watchSettings say how often the host looks for its engine and how many refused health checks
// in a row mean that the engine is gone.
type watchSettings struct {
	parentEvery  time.Duration
	engineEvery  time.Duration
	checkTimeout time.Duration
	misses       int
}

// Upstream's plugins check every 5 minutes; a killed CLI would then leave its plugins for that
// long, so this host checks every second. Only "unavailable" (nobody listens on the port any
// more) counts as a miss: a slow answer from an engine busy on a loaded machine, or one stopped
// with Ctrl-Z, is not a dead engine, and must not end a program that is still deploying.
var defaultWatch = watchSettings{
	parentEvery:  500 * time.Millisecond,
	engineEvery:  time.Second,
	checkTimeout: 5 * time.Second,
	misses:       3,
}

// watchEngine returns once the process that started this host has exited, or once the engine at
// address has refused the health check `misses` times in a row; the result says which. The
// engine runs inside the CLI that started its plugins, so either means that no request will
// ever come again. Without an address (a host started by hand) only the parent is watched.
func watchEngine(address string, s watchSettings) string {
	gone := make(chan string, 2)
	parent := os.Getppid()
	go func() {
		for range time.Tick(s.parentEvery) {
			if os.Getppid() != parent {
				gone <- fmt.Sprintf("the process that started it (pid %d) has exited", parent)
				return
			}
		}
	}()
	if address != "" {
		go func() {
			if reason := watchHealth(address, s); reason != "" {
				gone <- reason
			}
		}()
	}
	return <-gone
}

// watchHealth asks the engine's standard gRPC health service, which every Pulumi gRPC server
// registers (rpcutil.ServeWithOptions), as upstream's rpcutil.Healthcheck does.
func watchHealth(address string, s watchSettings) string {
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		// An address the host cannot even dial is left to the parent watch.
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: cannot watch the engine at %s: %v\n", address, err)
		return ""
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)
	misses := 0
	for range time.Tick(s.engineEvery) {
		ctx, cancel := context.WithTimeout(context.Background(), s.checkTimeout)
		_, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
		cancel()
		if status.Code(err) == codes.Unavailable {
			misses++
			if misses >= s.misses {
				return fmt.Sprintf("the engine at %s stopped answering (%v)", address, err)
			}
			continue
		}
		misses = 0
	}
	return ""
}
