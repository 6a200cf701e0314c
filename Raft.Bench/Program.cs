using BenchmarkDotNet.Running;

namespace Raft.Bench;

/// <summary>dotnet run -c Release --project Raft.Bench -- --filter '*Commit*'  (see docs/benchmarks.md)</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
