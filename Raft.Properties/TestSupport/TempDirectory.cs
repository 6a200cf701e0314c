namespace Raft.Properties.TestSupport;

/// <summary>A test class whose every test gets a fresh temporary directory, deleted after it.</summary>
public abstract class WithTempDirectory(string prefix) : IDisposable
{
    protected string Dir { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
