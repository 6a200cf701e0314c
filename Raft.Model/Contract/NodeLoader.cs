using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Raft.Model.Contract;

/// <summary>
/// Where a loaded implementation came from: the assembly's full path and the type's full name
/// (what <c>--node</c> takes: <see cref="Spec"/>), and the implementation's <see cref="IRaftImplementation.Name"/>.
/// Traces record it, so replay and shrink load the same implementation.
/// </summary>
public sealed record NodeSource(string Assembly, string Type, string Name)
{
    /// <summary>"PATH.dll:Namespace.Type", as <c>--node</c> takes it.</summary>
    public string Spec => Assembly + ":" + Type;

    /// <summary>False for <see cref="FromCSharp"/>: nothing to load.</summary>
    public bool IsLoadable => Assembly.Length > 0 && Type.Length > 0;

    /// <summary>Nodes built by a factory given in C# (not from an assembly): a trace can say so, not load it.</summary>
    public static NodeSource FromCSharp { get; } = new("", "", "a node factory given in C#");
}

/// <summary>A node assembly that cannot be used, with a one-line reason.</summary>
public sealed class NodeLoadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Loads a Raft implementation from an assembly: <c>PATH.dll[:TYPE]</c>, where TYPE (the full name
/// of a public class implementing <see cref="IRaftImplementation"/> with a public parameterless
/// constructor) may be left out when the assembly has exactly one. The assembly's own dependencies
/// load beside it (from its .deps.json); Raft.Core and Raft.Model are the ones already loaded, so
/// its nodes implement the very contract the world drives. Every failure is a
/// <see cref="NodeLoadException"/> with a one-line message.
/// </summary>
public static class NodeLoader
{
    private static readonly ConditionalWeakTable<NodeFactory, NodeSource> Sources = new();
    private static readonly Dictionary<string, AssemblyLoadContext> Contexts = new(StringComparer.Ordinal);

    /// <summary>Loads <paramref name="spec"/>: the implementation's factory, and where it came from.</summary>
    public static NodeFactory Load(string spec, out NodeSource source)
    {
        var (path, typeName) = Split(spec);
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new NodeLoadException($"--node {Printable(spec)}: not a path ({e.Message})");
        }
        if (Directory.Exists(full)) throw new NodeLoadException($"--node {Printable(path)} is a directory: give the implementation's .dll");
        if (!File.Exists(full)) throw new NodeLoadException($"node assembly not found: {Printable(path)}");
        Assembly assembly = LoadAssembly(full);
        Type type = FindType(assembly, typeName, full);
        IRaftImplementation implementation;
        try
        {
            implementation = (IRaftImplementation)Activator.CreateInstance(type)!;
        }
        catch (Exception e)
        {
            Exception cause = e is TargetInvocationException { InnerException: { } inner } ? inner : e;
            throw new NodeLoadException($"{type.FullName}'s constructor threw {cause.GetType().Name}: {Printable(cause.Message)}", cause);
        }
        string name;
        try
        {
            name = implementation.Name ?? type.Name;
        }
        catch (Exception e)
        {
            throw new NodeLoadException($"{type.FullName}.Name threw {e.GetType().Name}: {Printable(e.Message)}", e);
        }
        source = new NodeSource(full, type.FullName!, name);
        NodeFactory factory = implementation.Create;
        Sources.AddOrUpdate(factory, source);
        return factory;
    }

    /// <summary>Where <paramref name="factory"/> was loaded from by <see cref="Load"/>, or null (a factory given in C#, or none).</summary>
    public static NodeSource? SourceOf(NodeFactory? factory) =>
        factory is not null && Sources.TryGetValue(factory, out NodeSource? s) ? s : null;

    /// <summary>"PATH.dll:TYPE" or "PATH.dll" (a colon after a drive letter is part of the path).</summary>
    private static (string Path, string? Type) Split(string spec)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new NodeLoadException("--node needs PATH.dll[:TYPE]");
        int colon = spec.LastIndexOf(':');
        if (colon > 1 && spec.AsSpan(0, colon).EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            string type = spec[(colon + 1)..];
            if (type.Length == 0) throw new NodeLoadException($"--node {Printable(spec)}: no type after ':'");
            return (spec[..colon], type);
        }
        return (spec, null);
    }

    private static Assembly LoadAssembly(string full)
    {
        lock (Contexts)
        {
            if (!Contexts.TryGetValue(full, out AssemblyLoadContext? context))
                Contexts[full] = context = new PluginContext(full);
            try
            {
                foreach (Assembly a in context.Assemblies)
                    if (string.Equals(a.Location, full, StringComparison.Ordinal)) return a;
                return context.LoadFromAssemblyPath(full);
            }
            catch (BadImageFormatException)
            {
                throw new NodeLoadException($"{Printable(full)} is not a .NET assembly");
            }
            catch (FileLoadException e)
            {
                throw new NodeLoadException($"cannot load {Printable(full)}: {Printable(e.Message)}", e);
            }
        }
    }

    private static Type FindType(Assembly assembly, string? typeName, string path)
    {
        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception e) when (e is ReflectionTypeLoadException or FileNotFoundException or FileLoadException or TypeLoadException)
        {
            throw new NodeLoadException($"cannot read the types of {Printable(path)}: {Printable(e.Message)} (does it reference another version of Raft.Model?)", e);
        }
        static bool Usable(Type t) => typeof(IRaftImplementation).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false } && t.GetConstructor(Type.EmptyTypes) is not null;
        if (typeName is not null)
        {
            Type? t = Array.Find(types, x => x.FullName == typeName);
            if (t is null) throw new NodeLoadException($"{Printable(path)} has no public type {Printable(typeName)}");
            if (!Usable(t)) throw new NodeLoadException($"{Printable(typeName)} is not a public class implementing IRaftImplementation with a public parameterless constructor");
            return t;
        }
        Type[] usable = Array.FindAll(types, Usable);
        Array.Sort(usable, (a, b) => string.CompareOrdinal(a.FullName, b.FullName));
        return usable.Length switch
        {
            1 => usable[0],
            0 => throw new NodeLoadException($"{Printable(path)} has no public class implementing IRaftImplementation with a public parameterless constructor"),
            _ => throw new NodeLoadException($"{Printable(path)} has {usable.Length} implementations: name one with --node PATH.dll:TYPE ({string.Join(", ", usable.Select(t => t.FullName))})"),
        };
    }

    private static string Printable(string s)
    {
        var chars = s.Select(c => char.IsControl(c) ? '?' : c).Take(200).ToArray();
        return new string(chars) + (s.Length > 200 ? "…" : "");
    }

    /// <summary>
    /// The implementation's assembly and its own dependencies load here; Raft.Core, Raft.Model and
    /// anything else the host has loaded come from the host, so the contract's types are shared.
    /// </summary>
    private sealed class PluginContext(string path) : AssemblyLoadContext("raftverify node: " + Path.GetFileName(path))
    {
        private readonly AssemblyDependencyResolver _resolver = new(path);

        protected override Assembly? Load(AssemblyName name)
        {
            foreach (Assembly a in Default.Assemblies)
                if (AssemblyName.ReferenceMatchesDefinition(name, a.GetName())) return null; // the host's copy
            if (name.Name is "Raft.Core" or "Raft.Model") return null;
            return _resolver.ResolveAssemblyToPath(name) is { } p ? LoadFromAssemblyPath(p) : null;
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } p ? LoadUnmanagedDllFromPath(p) : IntPtr.Zero;
    }
}
