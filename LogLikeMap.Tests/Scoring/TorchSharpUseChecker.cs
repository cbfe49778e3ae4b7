using System.Collections.Frozen;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Operations;
using Mono.Cecil;
using TorchSharp;

namespace LogLikeMap.Tests.Scoring;

/// <summary>One place in the source where TorchSharp is used in a way the scorer must not, and the TorchSharp method called.</summary>
public sealed record TorchSharpMisuse(string Rule, string File, int Line, string Method, string Code)
{
    public override string ToString() => $"{Path.GetFileName(File)}:{Line}: {Rule}: {Method}: {Code}";
}

/// <summary>
/// Reads C# source for the two ways TorchSharp 0.107 lets concurrent scoring go wrong (docs/stack.md):
/// <list type="bullet">
/// <item><c>unheld</c>: a native object with a finaliser (a Scalar, a Generator) that nothing keeps alive during the
/// libtorch call that reads it, so a garbage collection on another thread may free it mid-call. Found by a call (or a
/// method group, or a property) of a TorchSharp method that makes a Scalar of its own, read from TorchSharp.dll's IL
/// (the implicit conversions, <c>tensor + tensor</c>, <c>arange(n)</c>, ..., and a virtual method any override of
/// which does), and by a <c>ToScalar()</c> or <c>new Generator</c> whose result no <c>using</c> or static field holds.</item>
/// <item><c>placement</c>: a tensor made without naming its device (and, for a factory, its dtype) or converted from a
/// number, which then takes the process-wide default, or a call that sets that default, which every other thread sees.</item>
/// </list>
/// </summary>
public static class TorchSharpUseChecker
{
    /// <summary>The rule names of <see cref="TorchSharpMisuse.Rule"/>.</summary>
    public const string UnheldRule = "unheld", PlacementRule = "placement";

    private static readonly Lazy<FrozenSet<string>> ScalarMakers = new(ReadScalarMakers);

    /// <summary>
    /// Compiles <paramref name="sources"/> (path, text) as the assembly <paramref name="assemblyName"/>, against the
    /// assemblies the test host runs with less that one, and checks them.
    /// </summary>
    public static IReadOnlyList<TorchSharpMisuse> Check(string assemblyName, IEnumerable<(string Path, string Text)> sources)
    {
        const string implicitUsings = "global using System; global using System.Collections.Generic; global using System.IO; " +
            "global using System.Linq; global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, path: s.Path))
            .Append(CSharpSyntaxTree.ParseText(implicitUsings, path: "ImplicitUsings.cs"))
            .ToList();
        var compilation = CSharpCompilation.Create(assemblyName, trees, References(assemblyName),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        // Source generators do not run here, so [GeneratedRegex] partial methods lack their bodies (CS8795); any other
        // error would leave calls unbound and unchecked.
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795").ToList();
        if (errors.Count > 0)
            throw new InvalidOperationException("The checked sources do not compile here:\n" + string.Join("\n", errors.Take(10)));

        var found = new List<TorchSharpMisuse>();
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            var roots = tree.GetRoot().DescendantNodes().Select(node => model.GetOperation(node)).OfType<IOperation>()
                .Where(op => op.Parent is null);
            foreach (var operation in roots.SelectMany(root => root.DescendantsAndSelf()))
                found.AddRange(Misuses(operation));
        }
        return found.Distinct().ToList();
    }

    private static IEnumerable<TorchSharpMisuse> Misuses(IOperation operation)
    {
        var method = operation switch
        {
            IInvocationOperation invocation => invocation.TargetMethod,
            IBinaryOperation binary => binary.OperatorMethod,
            IUnaryOperation unary => unary.OperatorMethod,
            ICompoundAssignmentOperation compound => compound.OperatorMethod,
            IConversionOperation conversion => conversion.OperatorMethod,
            IObjectCreationOperation creation => creation.Constructor,
            IMethodReferenceOperation reference => reference.Method,
            IPropertyReferenceOperation property => property.Property.GetMethod,
            _ => null,
        };
        if (method is null || method.ContainingAssembly?.Name != "TorchSharp")
            yield break;
        var definition = (method.ReducedFrom ?? method).OriginalDefinition;
        if (ScalarMakers.Value.Contains(Key(definition)))
            yield return Found(UnheldRule, operation, definition, $"TorchSharp's {definition.Name} makes a Scalar it does not hold");
        if ((definition.Name == "ToScalar" || definition is { MethodKind: MethodKind.Constructor, ContainingType.Name: "Generator" }) && !IsHeld(operation))
            yield return Found(UnheldRule, operation, definition, $"a {definition.ContainingType.Name} that no using or static field holds");
        if (operation is IConversionOperation && definition is { Name: "op_Implicit", ContainingType.Name: "Tensor" })
            yield return Found(PlacementRule, operation, definition, "a number made a tensor on the default device and dtype");
        if (definition.Name is "set_default_device" or "set_default_dtype")
            yield return Found(PlacementRule, operation, definition, "sets a process-wide default that every thread sees");
        if (operation is IInvocationOperation or IObjectCreationOperation && !definition.Name.EndsWith("_like", StringComparison.Ordinal))
        {
            var arguments = operation is IInvocationOperation call ? call.Arguments : ((IObjectCreationOperation)operation).Arguments;
            var defaulted = arguments.Where(a => a.ArgumentKind == ArgumentKind.DefaultValue).Select(a => a.Parameter?.Name).ToHashSet();
            var parameters = definition.Parameters.Select(p => p.Name).ToHashSet();
            if (defaulted.Contains("device") || parameters.Contains("device") && defaulted.Contains("dtype"))
                yield return Found(PlacementRule, operation, definition, $"{definition.Name} without its {(defaulted.Contains("device") ? "device" : "dtype")}");
        }
    }

    /// <summary>A ToScalar or new Generator whose result initialises a <c>using</c> variable or a static readonly field.</summary>
    private static bool IsHeld(IOperation toScalar)
    {
        var parent = toScalar.Parent;
        while (parent is IConversionOperation)
            parent = parent.Parent;
        return parent switch
        {
            IFieldInitializerOperation field => field.InitializedFields.All(f => f.IsStatic && f.IsReadOnly),
            IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Parent: IVariableDeclarationOperation declaration } } =>
                declaration.Parent is IUsingDeclarationOperation
                || declaration.Parent is IVariableDeclarationGroupOperation { Parent: IUsingOperation or IUsingDeclarationOperation },
            _ => false,
        };
    }

    private static TorchSharpMisuse Found(string rule, IOperation operation, IMethodSymbol method, string what)
    {
        var span = operation.Syntax.GetLocation().GetLineSpan();
        var code = operation.Syntax.ToString().ReplaceLineEndings(" ");
        return new TorchSharpMisuse(rule, span.Path, span.StartLinePosition.Line + 1, $"{method.ContainingType.Name}.{method.Name}", $"{what}: {(code.Length > 100 ? code[..100] + "..." : code)}");
    }

    /// <summary>
    /// Every TorchSharp method whose IL converts a number to a Scalar (an implicit conversion or ToScalar), directly or
    /// through other TorchSharp methods: the Scalar is made inside, handed to libtorch and left to the finaliser.
    /// </summary>
    private static FrozenSet<string> ReadScalarMakers()
    {
        using var assembly = AssemblyDefinition.ReadAssembly(typeof(torch).Assembly.Location);
        var direct = new HashSet<MethodDefinition>();
        var callers = new Dictionary<MethodDefinition, List<MethodDefinition>>();
        foreach (var method in assembly.MainModule.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody))
        {
            foreach (var called in method.Body.Instructions.Select(i => i.Operand).OfType<MethodReference>())
            {
                if (called.Name is "op_Implicit" && called.DeclaringType.FullName == "TorchSharp.Scalar"
                    || called.Name is "ToScalar" && called.DeclaringType.FullName == "TorchSharp.ScalarExtensionMethods")
                    direct.Add(method);
                else if (InTorchSharp(called) is { } callee)
                    (callers.TryGetValue(callee, out var list) ? list : callers[callee] = []).Add(method);
            }
        }
        var makers = new HashSet<MethodDefinition>(direct);
        var pending = new Queue<MethodDefinition>(direct);
        while (pending.TryDequeue(out var maker))
        {
            foreach (var caller in callers.GetValueOrDefault(maker, []))
            {
                if (makers.Add(caller))
                    pending.Enqueue(caller);
            }
        }
        // A call through a base type (Optimizer.step) reaches whichever override the object has (AdamW.step).
        var overridden = makers.Where(m => m.IsVirtual).SelectMany(BaseDeclarations).ToList();
        return makers.Concat(overridden).Select(Key).ToFrozenSet();

        static IEnumerable<MethodDefinition> BaseDeclarations(MethodDefinition method)
        {
            for (var type = Resolve(method.DeclaringType.BaseType); type is not null; type = Resolve(type.BaseType))
            {
                foreach (var candidate in type.Methods.Where(c => c.IsVirtual && c.Name == method.Name && SameParameters(c, method)))
                    yield return candidate;
            }
        }

        static bool SameParameters(MethodDefinition a, MethodDefinition b) =>
            a.Parameters.Select(p => p.ParameterType.Name).SequenceEqual(b.Parameters.Select(p => p.ParameterType.Name));

        static TypeDefinition? Resolve(TypeReference? type) =>
            type is not null && type.Scope.Name is "TorchSharp" or "TorchSharp.dll" ? type.Resolve() : null;

        static MethodDefinition? InTorchSharp(MethodReference reference)
        {
            if (reference.DeclaringType.Scope.Name is not ("TorchSharp" or "TorchSharp.dll"))
                return null;
            return reference.Resolve();
        }
    }

    /// <summary>Declaring type (nested types after '/'), name and parameter type names, the same from Cecil and Roslyn.</summary>
    private static string Key(MethodDefinition method) =>
        $"{method.DeclaringType.FullName}::{method.Name}({string.Join(",", method.Parameters.Select(p => p.ParameterType.Name))})";

    private static string Key(IMethodSymbol method)
    {
        var type = method.ContainingType;
        var typeName = type.MetadataName;
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            typeName = outer.MetadataName + "/" + typeName;
        var ns = (type.ContainingType is null ? type : Outermost(type)).ContainingNamespace.ToDisplayString();
        return $"{ns}.{typeName}::{method.MetadataName}({string.Join(",", method.Parameters.Select(ParameterName))})";

        static INamedTypeSymbol Outermost(INamedTypeSymbol t) => t.ContainingType is null ? t : Outermost(t.ContainingType);
        static string ParameterName(IParameterSymbol p) => TypeName(p.Type) + (p.RefKind == RefKind.None ? "" : "&");
        static string TypeName(ITypeSymbol t) => t switch
        {
            IArrayTypeSymbol array => TypeName(array.ElementType) + "[]",
            IPointerTypeSymbol pointer => TypeName(pointer.PointedAtType) + "*",
            _ => t.MetadataName,
        };
    }

    /// <summary>The assemblies the test host runs with (framework, TorchSharp, the projects), less the checked one.</summary>
    private static List<MetadataReference> References(string checkedAssembly) =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileNameWithoutExtension(path) != checkedAssembly)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList();
}
