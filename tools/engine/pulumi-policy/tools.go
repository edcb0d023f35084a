//go:build tools

// Package tools pins the Pulumi CLI's main package (at v3.170.0, the CLI used
// for policy runs only; see ../README.md) so that `go mod tidy` keeps its
// dependencies in this wrapper module's go.mod/go.sum.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
