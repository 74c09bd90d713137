using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;
using Replicator.Core.Ecr;
using Replicator.Testing;

namespace Replicator.Core.Tests.Architecture;

/// <summary>
/// Pins the direction of the dependencies between Core's namespaces (one per folder), read from the compiled
/// assembly: every type a type names in its base types, fields, signatures and method bodies (IL operands, so a
/// <c>throw new X</c> counts). Compiler-made types (lambdas, async state machines) are nested in the type that
/// wrote them, so they count for its namespace.
/// </summary>
public sealed class NamespaceDependencyTests
{
    private const string Root = "Replicator.Core";

    private static readonly Lazy<Dictionary<string, HashSet<string>>> Graph = new(Build);

    private static readonly Dictionary<ushort, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => (ushort)o.Value);

    [Fact]
    public void The_scan_sees_the_dependencies_the_engine_has()
    {
        // A control: if the scan missed method bodies or signatures, the rules below would pass for nothing.
        Assert.Contains("Copy", Graph.Value["Replication"]);
        Assert.Contains("Planning", Graph.Value["Replication"]);
        Assert.Contains("Errors", Graph.Value["Copy"]);
        Assert.Contains("Ecr", Graph.Value["Copy"]);
    }

    [Fact]
    public void Destinations_build_on_Replication_which_never_names_them()
    {
        // The engine states what it needs of a destination (IDestinationClients, ReplicationDestination) and the
        // credential and client code implements it: the edge runs from Destinations to Replication, never back.
        Assert.Contains("Replication", Graph.Value["Destinations"]);
        Assert.DoesNotContain("Destinations", Graph.Value["Replication"]);
    }

    [Fact]
    public void Errors_depend_on_no_other_namespace() => Assert.Empty(Graph.Value["Errors"]);

    [Fact]
    public void Ecr_limits_depend_on_nothing() => Assert.Empty(Dependencies(typeof(EcrLimits)));

    [Theory]
    [InlineData("Copy", "Replication")]
    [InlineData("Ecr", "Replication")]
    [InlineData("Ecr", "Copy")]
    [InlineData("Ecr", "Planning")]
    [InlineData("Ecr", "Resilience")]
    [InlineData("Manifests", "Ecr")]
    [InlineData("Planning", "Ecr")]
    [InlineData("Planning", "Copy")]
    [InlineData("Planning", "Replication")]
    [InlineData("Planning", "Resilience")]
    [InlineData("Resilience", "Copy")]
    [InlineData("Signing", "Ecr")]
    public void A_lower_namespace_does_not_know_a_higher_one(string from, string to)
    {
        Assert.DoesNotContain(to, Graph.Value.GetValueOrDefault(from) ?? []);

        // The compiled assembly does not show a constant: the compiler copies its value into the caller, so
        // Signing's use of EcrErrorCodes.ExpiredTokenException left no trace there. The source's using directives and
        // qualified names do: the full name (a using, a using static, an alias), and a name relative to an enclosing
        // namespace, which C# resolves from every namespace around the file's (Ecr.EcrErrorCodes or
        // Core.Ecr.EcrErrorCodes inside Replicator.Core.Signing, as EcrErrorCodes writes Signing.ExpiredTokenCodes).
        // The relative form is read outside comments only, where a cref names a type for the documentation alone. A
        // global using anywhere in the project (or a Using item of its project file) reaches every folder.
        var full = new Regex($@"\b{Regex.Escape(Root)}\.{to}\b", RegexOptions.CultureInvariant);
        var relative = new Regex($@"(?<![\w.])(?:Core\.)?{to}\.[A-Za-z_]", RegexOptions.CultureInvariant);
        var project = Path.Combine(RepositoryRoot.Path, "src", Root);
        var named = SourceFiles(Path.Combine(project, from))
            .Where(file => File.ReadAllText(file) is var text
                && (full.IsMatch(text) || File.ReadLines(file).Any(line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal) && relative.IsMatch(line))))
            .Concat(SourceFiles(project).Where(file => File.ReadLines(file).Any(line => line.TrimStart().StartsWith("global using", StringComparison.Ordinal) && full.IsMatch(line))))
            .Concat(Directory.EnumerateFiles(project, "*.csproj").Where(file => File.ReadAllText(file).Contains($"<Using Include=\"{Root}.{to}", StringComparison.Ordinal)))
            .Select(file => Path.GetRelativePath(RepositoryRoot.Path, file))
            .ToList();
        Assert.Empty(named);
    }

    /// <summary>The C# files under <paramref name="folder"/>, leaving out the build's output (bin, obj).</summary>
    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(file => Path.GetRelativePath(folder, file).Split(Path.DirectorySeparatorChar) is var parts && !parts.Contains("bin") && !parts.Contains("obj"));

    [Fact]
    public void Namespaces_form_no_cycle()
    {
        var graph = Graph.Value;
        var cycles = new List<string>();
        foreach (var from in graph.Keys)
        {
            foreach (var to in graph[from])
            {
                if (Reaches(graph, to, from))
                {
                    cycles.Add($"{from} -> {to}");
                }
            }
        }

        Assert.Empty(cycles);
    }

    private static bool Reaches(Dictionary<string, HashSet<string>> graph, string from, string target)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>([from]);
        while (pending.TryPop(out var next))
        {
            if (next == target)
            {
                return true;
            }

            if (seen.Add(next))
            {
                foreach (var to in graph.GetValueOrDefault(next) ?? [])
                {
                    pending.Push(to);
                }
            }
        }

        return false;
    }

    private static Dictionary<string, HashSet<string>> Build()
    {
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var type in typeof(EcrClient).Assembly.GetTypes())
        {
            if (Folder(type) is not { } from)
            {
                continue;
            }

            var edges = graph.TryGetValue(from, out var found) ? found : graph[from] = [];
            edges.UnionWith(Dependencies(type).Where(to => to != from));
        }

        return graph;
    }

    private static HashSet<string> Dependencies(Type type)
    {
        var folders = new HashSet<string>();
        var self = Folder(type);
        foreach (var named in NamedTypes(type))
        {
            foreach (var part in Unwrap(named))
            {
                if (Folder(part) is { } folder && folder != self)
                {
                    folders.Add(folder);
                }
            }
        }

        return folders;
    }

    /// <summary>The first namespace segment below Replicator.Core (Ecr.Model counts as Ecr); null outside Core's folders.</summary>
    private static string? Folder(Type type)
    {
        var name = type.Namespace;
        if (name is null || !name.StartsWith(Root + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = name[(Root.Length + 1)..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var inner in Unwrap(type.GetElementType()!))
            {
                yield return inner;
            }

            yield break;
        }

        yield return type;
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Unwrap))
            {
                yield return argument;
            }
        }
    }

    private static IEnumerable<Type> NamedTypes(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var implemented in type.GetInterfaces())
        {
            yield return implemented;
        }

        foreach (var field in type.GetFields(all))
        {
            yield return field.FieldType;
        }

        foreach (var property in type.GetProperties(all))
        {
            yield return property.PropertyType;
        }

        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (method is MethodInfo info)
            {
                yield return info.ReturnType;
            }

            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
            }

            foreach (var used in BodyTypes(method))
            {
                yield return used;
            }
        }
    }

    /// <summary>The types, fields' and methods' declaring types that a method body names (its IL operands).</summary>
    private static IEnumerable<Type> BodyTypes(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var at = 0;
        while (at < il.Length)
        {
            var code = il[at] == 0xFE ? (ushort)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[code];
            switch (op.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    at += 8;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + (4 * BitConverter.ToInt32(il, at));
                    break;
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    var member = method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                    at += 4;
                    switch (member)
                    {
                        case Type named:
                            yield return named;
                            break;
                        case FieldInfo field:
                            yield return field.DeclaringType!;
                            yield return field.FieldType;
                            break;
                        case MethodBase called:
                            yield return called.DeclaringType!;
                            if (called is MethodInfo { } info)
                            {
                                yield return info.ReturnType;
                                foreach (var argument in info.IsGenericMethod ? info.GetGenericArguments() : [])
                                {
                                    yield return argument;
                                }
                            }

                            break;
                    }

                    break;
                default:
                    at += 4;
                    break;
            }
        }
    }
}
