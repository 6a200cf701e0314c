using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Raft.Properties.Architecture;

/// <summary>One type of an assembly using another type of the same assembly.</summary>
public sealed record TypeDependency(string From, string FromNamespace, string To, string ToNamespace)
{
    public override string ToString() => $"{From} -> {To}";
}

/// <summary>
/// The references between the types of one assembly, read from its metadata: base types,
/// interfaces, generic constraints, field, method, property and local signatures, attributes,
/// and every type, method and field token in the method bodies' IL. Compiler-generated nested
/// types (closures, state machines, lambdas) count as part of the type that declares them, so
/// nothing can slip past in a lambda, a using alias or a fully qualified name.
/// </summary>
public static class NamespaceDependencies
{
    /// <summary>Every reference from a type under <paramref name="rootNamespace"/> to a type in another namespace under it.</summary>
    public static IReadOnlyList<TypeDependency> Scan(Assembly assembly, string rootNamespace)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        MetadataReader md = pe.GetMetadataReader();
        var result = new List<TypeDependency>();
        var seen = new HashSet<(string, string)>();
        foreach (TypeDefinitionHandle from in md.TypeDefinitions)
        {
            string fromNs = NamespaceOf(md, from);
            if (!Under(fromNs, rootNamespace)) continue;
            var collector = new Collector(md);
            collector.AddType(md, pe, from);
            foreach (TypeDefinitionHandle to in collector.Found)
            {
                string toNs = NamespaceOf(md, to);
                if (toNs == fromNs || !Under(toNs, rootNamespace)) continue;
                string fromName = ReadableName(md, from), toName = ReadableName(md, to);
                if (seen.Add((fromName, toName))) result.Add(new TypeDependency(fromName, fromNs, toName, toNs));
            }
        }
        return result;
    }

    private static bool Under(string ns, string root) => ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal);

    /// <summary>The namespace of a type; a nested type's is that of the type enclosing it.</summary>
    public static string NamespaceOf(MetadataReader md, TypeDefinitionHandle h)
    {
        TypeDefinition t = md.GetTypeDefinition(h);
        while (t.IsNested) t = md.GetTypeDefinition(t.GetDeclaringType());
        return md.GetString(t.Namespace);
    }

    /// <summary>The full name of the outermost type that is not compiler-generated (a closure is reported as the type whose code it holds).</summary>
    private static string ReadableName(MetadataReader md, TypeDefinitionHandle h)
    {
        var names = new List<string>();
        TypeDefinition t = md.GetTypeDefinition(h);
        while (true)
        {
            names.Add(md.GetString(t.Name));
            if (!t.IsNested) break;
            t = md.GetTypeDefinition(t.GetDeclaringType());
        }
        names.Reverse();
        int keep = names.FindIndex(n => n.StartsWith('<'));
        if (keep > 0) names.RemoveRange(keep, names.Count - keep);
        string ns = md.GetString(t.Namespace);
        return (ns.Length == 0 ? "" : ns + ".") + string.Join("+", names);
    }

    /// <summary>Gathers the type definitions a type uses.</summary>
    private sealed class Collector(MetadataReader md) : ISignatureTypeProvider<int, object?>
    {
        public HashSet<TypeDefinitionHandle> Found { get; } = new();

        public void AddType(MetadataReader reader, PEReader pe, TypeDefinitionHandle h)
        {
            TypeDefinition t = reader.GetTypeDefinition(h);
            AddEntity(t.BaseType);
            foreach (InterfaceImplementationHandle i in t.GetInterfaceImplementations()) AddEntity(reader.GetInterfaceImplementation(i).Interface);
            AddGenericParameters(t.GetGenericParameters());
            AddAttributes(t.GetCustomAttributes());
            foreach (FieldDefinitionHandle f in t.GetFields())
            {
                FieldDefinition field = reader.GetFieldDefinition(f);
                field.DecodeSignature(this, null);
                AddAttributes(field.GetCustomAttributes());
            }
            foreach (PropertyDefinitionHandle p in t.GetProperties())
            {
                PropertyDefinition property = reader.GetPropertyDefinition(p);
                property.DecodeSignature(this, null);
                AddAttributes(property.GetCustomAttributes());
            }
            foreach (EventDefinitionHandle e in t.GetEvents()) AddEntity(reader.GetEventDefinition(e).Type);
            foreach (MethodDefinitionHandle m in t.GetMethods())
            {
                MethodDefinition method = reader.GetMethodDefinition(m);
                method.DecodeSignature(this, null);
                AddGenericParameters(method.GetGenericParameters());
                AddAttributes(method.GetCustomAttributes());
                foreach (ParameterHandle p in method.GetParameters()) AddAttributes(reader.GetParameter(p).GetCustomAttributes());
                if (method.RelativeVirtualAddress != 0) AddBody(pe.GetMethodBody(method.RelativeVirtualAddress));
            }
        }

        private void AddGenericParameters(GenericParameterHandleCollection parameters)
        {
            foreach (GenericParameterHandle g in parameters)
                foreach (GenericParameterConstraintHandle c in md.GetGenericParameter(g).GetConstraints())
                    AddEntity(md.GetGenericParameterConstraint(c).Type);
        }

        private void AddAttributes(CustomAttributeHandleCollection attributes)
        {
            foreach (CustomAttributeHandle a in attributes) AddEntity(md.GetCustomAttribute(a).Constructor);
        }

        private void AddBody(MethodBodyBlock body)
        {
            if (!body.LocalSignature.IsNil)
            {
                StandaloneSignature locals = md.GetStandaloneSignature(body.LocalSignature);
                locals.DecodeLocalSignature(this, null);
            }
            BlobReader il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                int code = il.ReadByte();
                if (code == 0xFE) code = 0xFE00 | il.ReadByte();
                OperandType operand = Operands.TryGetValue((short)code, out OperandType o) ? o : throw new InvalidOperationException($"unknown IL opcode 0x{code:X}");
                switch (operand)
                {
                    case OperandType.InlineNone: break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: il.Offset += 1; break;
                    case OperandType.InlineVar: il.Offset += 2; break;
                    case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.ShortInlineR: il.Offset += 4; break;
                    case OperandType.InlineI8 or OperandType.InlineR: il.Offset += 8; break;
                    case OperandType.InlineSwitch: { int targets = il.ReadInt32(); il.Offset += 4 * targets; break; }
                    case OperandType.InlineString: il.Offset += 4; break;
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineSig or OperandType.InlineTok or OperandType.InlineType:
                        AddEntity(MetadataTokens.EntityHandle(il.ReadInt32()));
                        break;
                    default: throw new InvalidOperationException($"unknown operand type {operand}");
                }
            }
        }

        public void AddEntity(EntityHandle h)
        {
            if (h.IsNil) return;
            switch (h.Kind)
            {
                case HandleKind.TypeDefinition:
                    Found.Add((TypeDefinitionHandle)h);
                    break;
                case HandleKind.TypeSpecification:
                    md.GetTypeSpecification((TypeSpecificationHandle)h).DecodeSignature(this, null);
                    break;
                case HandleKind.MethodDefinition:
                {
                    MethodDefinition m = md.GetMethodDefinition((MethodDefinitionHandle)h);
                    Found.Add(m.GetDeclaringType());
                    m.DecodeSignature(this, null);
                    break;
                }
                case HandleKind.FieldDefinition:
                {
                    FieldDefinition f = md.GetFieldDefinition((FieldDefinitionHandle)h);
                    Found.Add(f.GetDeclaringType());
                    f.DecodeSignature(this, null);
                    break;
                }
                case HandleKind.MemberReference:
                {
                    MemberReference r = md.GetMemberReference((MemberReferenceHandle)h);
                    AddEntity(r.Parent);
                    if (r.GetKind() == MemberReferenceKind.Method) r.DecodeMethodSignature(this, null);
                    else r.DecodeFieldSignature(this, null);
                    break;
                }
                case HandleKind.MethodSpecification:
                {
                    MethodSpecification s = md.GetMethodSpecification((MethodSpecificationHandle)h);
                    AddEntity(s.Method);
                    s.DecodeSignature(this, null);
                    break;
                }
                case HandleKind.StandaloneSignature:
                {
                    StandaloneSignature s = md.GetStandaloneSignature((StandaloneSignatureHandle)h);
                    if (s.GetKind() == StandaloneSignatureKind.Method) s.DecodeMethodSignature(this, null);
                    else s.DecodeLocalSignature(this, null);
                    break;
                }
            }
        }

        // the signature decoder: only type definitions matter; the decoded "type" is a dummy
        public int GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) { Found.Add(handle); return 0; }
        public int GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => 0;
        public int GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
        public int GetArrayType(int elementType, ArrayShape shape) => 0;
        public int GetByReferenceType(int elementType) => 0;
        public int GetGenericInstantiation(int genericType, ImmutableArray<int> typeArguments) => 0;
        public int GetPointerType(int elementType) => 0;
        public int GetFunctionPointerType(MethodSignature<int> signature) => 0;
        public int GetGenericMethodParameter(object? genericContext, int index) => 0;
        public int GetGenericTypeParameter(object? genericContext, int index) => 0;
        public int GetModifiedType(int modifier, int unmodifiedType, bool isRequired) => 0;
        public int GetPinnedType(int elementType) => 0;
        public int GetPrimitiveType(PrimitiveTypeCode typeCode) => 0;
        public int GetSZArrayType(int elementType) => 0;
    }

    /// <summary>Each IL opcode's operand kind (from the framework's own opcode table).</summary>
    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);
}
