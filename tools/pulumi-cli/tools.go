//go:build tools

// Package tools pins the Go commands that scripts/pulumi-toolchain.sh builds.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
	_ "google.golang.org/grpc"
)
