// Command polarity runs the Polarity pipeline from the terminal: the same
// library calls the notebooks make (data, EDA, tokenization, training,
// evaluation, prediction).
//
// Usage:
//
//	polarity <command> [subcommand] [flags] [args]
//	polarity help [command]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one CLI verb: either a leaf with run, or a group with subs.
type command struct {
	name    string
	summary string
	run     func(args []string) error
	subs    []*command
}

// commands lists the top-level verbs, in the order the pipeline runs.
func commands() []*command {
	return []*command{
		envCommand(),
		dataCommand(),
		edaCommand(),
		tokenizeCommand(),
		trainCommand(),
		evalCommand(),
		predictCommand(),
		baselineCommand(),
		benchCommand(),
	}
}

// errUsage marks a usage error (exit status 2); the message was printed.
var errUsage = errors.New("usage error")

func main() {
	if err := dispatch(commands(), os.Args[1:], "polarity", os.Stderr); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "polarity:", err)
			os.Exit(1)
		}
		os.Exit(2)
	}
}

// dispatch finds the command named by args[0] among cmds and runs it.
func dispatch(cmds []*command, args []string, path string, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return dispatch(cmds, append(args[1:], "--help"), path, stderr)
		}
		printUsage(stderr, path, cmds)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	for _, c := range cmds {
		if c.name != args[0] {
			continue
		}
		if c.subs != nil {
			return dispatch(c.subs, args[1:], path+" "+c.name, stderr)
		}
		err := c.run(args[1:])
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	fmt.Fprintf(stderr, "%s: unknown command %q\n\n", path, args[0])
	printUsage(stderr, path, cmds)
	return errUsage
}

func printUsage(w io.Writer, path string, cmds []*command) {
	fmt.Fprintf(w, "Usage: %s <command> [flags] [args]\n\nCommands:\n", path)
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun '%s <command> --help' for a command's flags.\n", path)
}

// newFlags returns a FlagSet for a leaf command whose usage names the command
// and its arguments. Parse errors print usage and yield errUsage.
func newFlags(path, argsUsage, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(path, flag.ContinueOnError)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: %s [flags] %s\n\n%s\n", path, argsUsage, summary)
		// The help lists every flag but the hidden aliases.
		shown := flag.NewFlagSet(path, flag.ContinueOnError)
		shown.SetOutput(out)
		fs.VisitAll(func(f *flag.Flag) {
			if _, isAlias := f.Value.(alias); !isAlias {
				shown.Var(f.Value, f.Name, f.Usage)
				shown.Lookup(f.Name).DefValue = f.DefValue
			}
		})
		var hasFlags bool
		shown.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(out, "\nFlags:")
			shown.PrintDefaults()
		}
	}
	return fs
}

// alias is a flag.Value registered under an old spelling of a flag: it sets
// the same value and is left out of the help.
type alias struct{ flag.Value }

// addAlias registers old as a hidden second name of fs's flag called name,
// so that command lines written for an earlier spelling keep working.
func addAlias(fs *flag.FlagSet, old, name string) {
	fs.Var(alias{fs.Lookup(name).Value}, old, "old spelling of -"+name)
}

// parseFlags parses args, mapping parse errors to errUsage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

// padRight pads s to width n for aligned terminal tables.
func padRight(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}
