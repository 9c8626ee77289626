using System.Reflection;
using System.Runtime.InteropServices;
using System.Xml.Linq;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Core.Tests.Unit;

/// <summary>The core is the bottom layer: it may use the base class library and nothing else.</summary>
public sealed class DependencyTests
{
    private static readonly AssemblyName[] References = typeof(RaftNode).Assembly.GetReferencedAssemblies();

    [Fact]
    public void TheCoreReferencesNoOrleansAssembly()
    {
        Assert.DoesNotContain(References, r =>
            r.Name!.StartsWith("Orleans", StringComparison.OrdinalIgnoreCase) ||
            r.Name.StartsWith("Microsoft.Orleans", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void TheCoreReferencesOnlyAssembliesOfTheSharedFramework()
    {
        // The runtime directory is Microsoft.NETCore.App, the base class library and nothing more.
        var framework = RuntimeEnvironment.GetRuntimeDirectory();

        var outside = References.Where(r => !File.Exists(Path.Combine(framework, r.Name + ".dll"))).Select(r => r.FullName);

        Assert.Empty(outside);
        Assert.Contains(References, r => r.Name == "System.Runtime");
    }

    [Fact]
    public void TheCoreProjectHasNoPackageOrProjectReferences()
    {
        var project = XDocument.Load(RepositoryRoot.Combine("src", "OrleansRaft.Core", "OrleansRaft.Core.csproj"));

        var references = project.Descendants()
            .Where(e => e.Name.LocalName is "PackageReference" or "ProjectReference" or "Reference" or "FrameworkReference")
            .Select(e => e.ToString())
            .ToArray();

        Assert.Empty(references);
    }
}
