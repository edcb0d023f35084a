// Command pulumi-resource-kubernetes is the Pulumi kubernetes provider plugin,
// built from the github.com/pulumi/pulumi-kubernetes/provider/v4 module.
//
// The module's own cmd/pulumi-resource-kubernetes embeds files that its
// `go generate` step writes (schema-embed.json, terraform-mapping-embed.json)
// and that the module zip does not contain. This main package does the same
// thing: tools/engine/build.sh writes generated/schema.json (the module's
// schema.json with "version" set, minified, as its generate.go does) and
// generated/terraform-mapping.json from the module cache before it builds.
// generated/ is git-ignored. The version comes from -ldflags
// "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=...".
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed generated/schema.json
var pulumiSchema []byte

//go:embed generated/terraform-mapping.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
