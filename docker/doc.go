// Package docker holds the container images a user runs Polarity in: docker/Dockerfile
// (a CUDA variant, the default, and a CPU variant), docker/compose.yaml and the image's
// entrypoint. No Docker engine runs where the project is developed, so the tests in this
// package check them statically: the Dockerfile parses with BuildKit's own parser, every base
// image and version is pinned and agrees with go.mod, tools/go.mod and scripts/setup.sh, the
// image runs as a non-root user, Jupyter always asks for a token, and compose publishes the
// port on the host's loopback only.
package docker
