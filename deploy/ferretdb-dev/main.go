// Command ferretdb-dev runs an embedded FerretDB v1 (MongoDB wire protocol) with the SQLite back end, for the
// clinic-mongo tests and for local development.
//
// FerretDB's own cmd/ferretdb binary, as built by `go install`, panics at start (its version file comes from
// FerretDB's build task and is not in the module), so the project embeds package ferretdb instead — the route
// FerretDB supports for this. See DESIGN.md §8.
//
//	go build -o ferretdb-dev . && ./ferretdb-dev -listen-addr 127.0.0.1:27017 -data-dir /tmp/ferretdb
//
// It serves until SIGINT or SIGTERM (or, with -exit-on-stdin-close, until its standard input closes), then
// closes its listener and database files and exits 0.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listenAddr := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on (host:port)")
	dataDir := flag.String("data-dir", "", "directory of the SQLite database files (created if missing; required)")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn or error")
	exitOnStdinClose := flag.Bool("exit-on-stdin-close", false,
		"also stop when standard input reaches end of file (so a test harness that dies takes the server with it)")
	flag.Parse()

	if err := run(*listenAddr, *dataDir, *logLevel, *exitOnStdinClose); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-dev: %s\n", err)
		os.Exit(1)
	}
}

func run(listenAddr, dataDir, logLevel string, exitOnStdinClose bool) error {
	if dataDir == "" {
		return fmt.Errorf("-data-dir is required")
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("bad -log-level %q: %w", logLevel, err)
	}

	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return fmt.Errorf("bad -data-dir %q: %w", dataDir, err)
	}

	if err = os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create -data-dir: %w", err)
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listenAddr},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
	})
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if exitOnStdinClose {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	// The harness waits for a `ping` to answer; this line is for people.
	logger.Warn("ferretdb-dev serving", slog.String("listen_addr", listenAddr), slog.String("data_dir", dir))

	return f.Run(ctx)
}
