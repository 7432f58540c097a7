// epp-e2e-go-auto: the harness's own main for the Go auto-instrumentation library (go.opentelemetry.io/auto),
// built on its public API only. It does what the operator's sidecar image does (find the target by
// OTEL_GO_AUTO_TARGET_EXE, export per the standard OTEL_* env), plus one thing that image cannot: on a kernel
// in lockdown, probes that need bpf_probe_write_user are refused by the verifier, and one refused probe aborts
// them all. So this main turns those probes off through the library's config provider and prints which and why
// (the harness reads these "probe off:" lines and the hybrid scenario repeats them).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/trace"

	"go.opentelemetry.io/auto"
	"go.opentelemetry.io/auto/pipeline"
	"go.opentelemetry.io/auto/pipeline/otelsdk"
)

// The probes whose eBPF programs write into the target's memory (context propagation, or the SDK bridges that
// hand span contexts to the process). Each is named by the library ID its probe registers under.
var writeUserProbes = []struct {
	pkg  string
	kind trace.SpanKind
	why  string
}{
	{"go.opentelemetry.io/otel/trace", trace.SpanKindClient, "writes span contexts into the target's OTel trace API"},
	{"go.opentelemetry.io/otel/internal/global", trace.SpanKindClient, "writes span contexts into the target's global OTel tracer"},
	{"go.opentelemetry.io/auto", trace.SpanKindClient, "writes span contexts into the target's auto/sdk"},
	{"google.golang.org/grpc", trace.SpanKindClient, "injects traceparent into outgoing gRPC metadata"},
}

const lockdownFile = "/sys/kernel/security/lockdown"

// lockdownMode reads the active mode ("none", "integrity", "confidentiality") the way the library does, but
// refuses to guess: without securityfs mounted the library assumes "none" and then fails on a locked kernel.
func lockdownMode() (string, error) {
	mounts, err := os.ReadFile("/proc/mounts")
	if err != nil {
		return "", err
	}
	if !strings.Contains(string(mounts), " /sys/kernel/security securityfs ") {
		return "", fmt.Errorf("securityfs is not mounted at /sys/kernel/security: the lockdown mode cannot be read " +
			"(mount -t securityfs securityfs /sys/kernel/security)")
	}
	b, err := os.ReadFile(lockdownFile)
	if os.IsNotExist(err) {
		return "none", nil // no lockdown LSM in this kernel
	}
	if err != nil {
		return "", err
	}
	s := string(b)
	if i, j := strings.Index(s, "["), strings.Index(s, "]"); i >= 0 && j > i {
		return s[i+1 : j], nil
	}
	return "", fmt.Errorf("unexpected %s content %q", lockdownFile, s)
}

type staticConfig struct{ cfg auto.InstrumentationConfig }

func (s staticConfig) InitialConfig(context.Context) auto.InstrumentationConfig { return s.cfg }
func (s staticConfig) Watch() <-chan auto.InstrumentationConfig {
	c := make(chan auto.InstrumentationConfig)
	close(c)
	return c
}
func (s staticConfig) Shutdown(context.Context) error { return nil }

// samplerFromEnv maps the standard OTEL_TRACES_SAMPLER values: with a config provider, the sampler comes from it,
// not from auto.WithEnv.
func samplerFromEnv() (auto.Sampler, error) {
	arg := 1.0
	if a := os.Getenv("OTEL_TRACES_SAMPLER_ARG"); a != "" {
		f, err := strconv.ParseFloat(a, 64)
		if err != nil {
			return nil, fmt.Errorf("OTEL_TRACES_SAMPLER_ARG=%q: %w", a, err)
		}
		arg = f
	}
	switch name := os.Getenv("OTEL_TRACES_SAMPLER"); name {
	case "", "parentbased_always_on":
		return auto.ParentBasedSampler{Root: auto.AlwaysOnSampler{}}, nil
	case "always_on":
		return auto.AlwaysOnSampler{}, nil
	case "always_off":
		return auto.AlwaysOffSampler{}, nil
	case "parentbased_always_off":
		return auto.ParentBasedSampler{Root: auto.AlwaysOffSampler{}}, nil
	case "traceidratio":
		return auto.TraceIDRatioSampler{Fraction: arg}, nil
	case "parentbased_traceidratio":
		return auto.ParentBasedSampler{Root: auto.TraceIDRatioSampler{Fraction: arg}}, nil
	default:
		return nil, fmt.Errorf("unsupported OTEL_TRACES_SAMPLER %q", name)
	}
}

// findTarget polls /proc until a process runs exe (compared as /proc/PID/exe resolves), as the sidecar does.
func findTarget(ctx context.Context, exe string) (int, error) {
	for {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid == os.Getpid() {
				continue
			}
			if got, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil && got == exe {
				return pid, nil
			}
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func fail(logger *slog.Logger, msg string, err error) {
	logger.Error(msg, "error", err)
	os.Exit(1)
}

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	exe := os.Getenv("OTEL_GO_AUTO_TARGET_EXE")
	if exe == "" {
		fail(logger, "no target", fmt.Errorf("OTEL_GO_AUTO_TARGET_EXE is not set"))
	}
	mode, err := lockdownMode()
	if err != nil {
		fail(logger, "cannot tell the kernel lockdown mode", err)
	}
	libs := map[auto.InstrumentationLibraryID]auto.InstrumentationLibrary{}
	off := false
	if mode != "none" {
		for _, p := range writeUserProbes {
			libs[auto.InstrumentationLibraryID{InstrumentedPkg: p.pkg, SpanKind: p.kind}] =
				auto.InstrumentationLibrary{TracesEnabled: &off}
			// One line per probe, in a fixed form the harness parses.
			fmt.Fprintf(os.Stderr, "probe off: %s %s: %s; bpf_probe_write_user is refused under kernel lockdown %q\n",
				p.pkg, strings.ToLower(p.kind.String()), p.why, mode)
		}
	}
	sampler, err := samplerFromEnv()
	if err != nil {
		fail(logger, "bad sampler", err)
	}

	// In a pod the sidecar shares only the pod's PID namespace, so the target exe names one process. On one
	// machine several EPPs may run the same binary: the harness then names the process, as the pod would.
	var pid int
	if p := os.Getenv("OTEL_GO_AUTO_TARGET_PID"); p != "" {
		if pid, err = strconv.Atoi(p); err != nil {
			fail(logger, "bad OTEL_GO_AUTO_TARGET_PID", err)
		}
		if got, err := os.Readlink(filepath.Join("/proc", p, "exe")); err != nil || got != exe {
			fail(logger, "target mismatch", fmt.Errorf("process %d runs %q, not OTEL_GO_AUTO_TARGET_EXE %q (%v)", pid, got, exe, err))
		}
	} else if pid, err = findTarget(ctx, exe); err != nil {
		fail(logger, "target not found", err)
	}
	logger.Info("target found", "pid", pid, "exe", exe, "lockdown", mode)

	h, err := otelsdk.NewTraceHandler(ctx, otelsdk.WithEnv(), otelsdk.WithLogger(logger))
	if err != nil {
		fail(logger, "failed to create OTel SDK handler", err)
	}
	inst, err := auto.NewInstrumentation(ctx,
		auto.WithPID(pid),
		auto.WithLogger(logger),
		auto.WithHandler(&pipeline.Handler{TraceHandler: h}),
		auto.WithConfigProvider(staticConfig{auto.InstrumentationConfig{
			InstrumentationLibraryConfigs: libs,
			Sampler:                       sampler,
		}}),
	)
	if err != nil {
		fail(logger, "failed to create instrumentation", err)
	}
	if err := inst.Load(ctx); err != nil {
		fail(logger, "failed to load instrumentation", err)
	}
	// The harness waits for this exact line before sending traffic (offsets take 20-60 s on the EPP).
	logger.Info("instrumentation loaded successfully, starting...")
	if err := inst.Run(ctx); err != nil {
		logger.Error("instrumentation crashed", "error", err)
	}
	shutdownCtx, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	if err := h.Shutdown(shutdownCtx); err != nil {
		logger.Error("failed to flush handler", "error", err)
	}
}
