using BenchmarkDotNet.Running;

// Pass BenchmarkDotNet's own options: --filter '*', --job short, --list flat, ...
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
