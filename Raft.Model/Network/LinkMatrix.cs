namespace Raft.Model.Network;

/// <summary>
/// Which directed links between nodes are up: the state behind connect/disconnect, partitions
/// and one-way cuts (<see cref="SimNetwork.Links"/>), in every mode of the world.
/// </summary>
public sealed class LinkMatrix
{
    private readonly bool[] _up; // row-major [from * n + to]

    public LinkMatrix(int nodes, bool up)
    {
        Nodes = nodes;
        _up = new bool[nodes * nodes];
        if (up) Array.Fill(_up, true);
    }

    public int Nodes { get; }

    /// <summary>Every cell, row-major (for state hashing).</summary>
    public ReadOnlySpan<bool> Cells => _up;

    public bool Up(int from, int to) => _up[from * Nodes + to];

    public void Set(int from, int to, bool up) => _up[from * Nodes + to] = up;

    /// <summary>Both directions between <paramref name="a"/> and <paramref name="b"/>.</summary>
    public void SetBoth(int a, int b, bool up)
    {
        _up[a * Nodes + b] = up;
        _up[b * Nodes + a] = up;
    }

    public void SetAll(bool up) => Array.Fill(_up, up);

    public bool AnyDown()
    {
        foreach (bool up in _up) if (!up) return true;
        return false;
    }
}
