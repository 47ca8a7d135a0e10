await Platform.Benchmarks.BenchmarkHarness.RunAsync(args);
