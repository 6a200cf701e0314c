namespace Raft.Coyote; internal static class Placeholder { }
