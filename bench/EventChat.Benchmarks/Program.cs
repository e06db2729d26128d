using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/EventChat.Benchmarks -- --filter '*'              (full, a few minutes)
// dotnet run -c Release --project bench/EventChat.Benchmarks -- --filter '*' --job short  (quick, under a minute)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
