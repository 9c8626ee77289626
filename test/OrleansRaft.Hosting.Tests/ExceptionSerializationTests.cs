using System.Collections;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.KeyValue;
using OrleansRaft.KeyValue.Hosting;

namespace OrleansRaft.Hosting.Tests;

/// <summary>
/// Every public exception type of the assemblies whose code runs in grains or their callers crosses a grain call as
/// itself: same type, message and properties. Types are found by reflection, so a new exception is covered.
/// </summary>
public sealed class ExceptionSerializationTests
{
    private static readonly Assembly[] Assemblies =
    [
        typeof(RaftGroupNotFoundException).Assembly, // Abstractions
        typeof(RaftLogStoreException).Assembly, // Hosting
        typeof(KvException).Assembly, // KeyValue
        typeof(KeyValueStore).Assembly, // KeyValue.Hosting
        typeof(KvRequestException).Assembly, // Client
    ];

    public static TheoryData<string> ExceptionTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in FindExceptionTypes())
        {
            data.Add(type.AssemblyQualifiedName!);
        }

        return data;
    }

    private static List<Type> FindExceptionTypes() =>
        [.. Assemblies.SelectMany(a => a.GetExportedTypes())
            .Where(t => typeof(Exception).IsAssignableFrom(t) && !t.IsAbstract)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)];

    [Fact]
    public void The_audit_finds_the_exception_types_of_every_assembly()
    {
        var found = FindExceptionTypes().Select(t => t.Name).ToHashSet();

        Assert.Contains(nameof(RaftGroupNotFoundException), found);
        Assert.Contains(nameof(RaftLogCorruptedException), found);
        Assert.Contains(nameof(KvException), found);
        Assert.Contains(nameof(KvRequestException), found);
    }

    [Theory]
    [MemberData(nameof(ExceptionTypes))]
    public void An_exception_round_trips_through_the_Orleans_serializer(string typeName)
    {
        var type = Type.GetType(typeName, throwOnError: true)!;
        var serializer = new ServiceCollection()
            .AddSerializer(builder =>
            {
                foreach (var assembly in Assemblies)
                {
                    builder.AddAssembly(assembly);
                }
            })
            .BuildServiceProvider()
            .GetRequiredService<Serializer>();
        var original = (Exception)Sample(type);

        var copy = serializer.Deserialize<Exception>(serializer.SerializeToArray<Exception>(original));

        Assert.IsType(type, copy);
        Assert.Equal(original.Message, copy.Message);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.DeclaringType != typeof(Exception) && p.GetIndexParameters().Length == 0))
        {
            Assert.True(
                Same(property.GetValue(original), property.GetValue(copy)),
                $"{type.Name}.{property.Name}: {property.GetValue(original)} became {property.GetValue(copy)}");
        }
    }

    private static bool Same(object? a, object? b) => a is IEnumerable x and not string && b is IEnumerable y
        ? x.Cast<object?>().SequenceEqual(y.Cast<object?>())
        : Equals(a, b);

    /// <summary>An instance built with the widest public constructor, from sample values that differ from defaults.</summary>
    private static object Sample(Type type)
    {
        if (type == typeof(string))
        {
            return "sample";
        }

        if (type.IsEnum)
        {
            var values = Enum.GetValues(type);
            return values.GetValue(values.Length - 1)!;
        }

        if (type.IsPrimitive)
        {
            return Convert.ChangeType(type == typeof(bool) ? true : 7, type, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (type == typeof(Exception))
        {
            return new InvalidOperationException("the cause");
        }

        if (type.IsArray || (type.IsGenericType && type.GetGenericTypeDefinition() is var g && (g == typeof(IReadOnlyList<>) || g == typeof(IEnumerable<>))))
        {
            var element = type.IsArray ? type.GetElementType()! : type.GetGenericArguments()[0];
            var array = Array.CreateInstance(element, 2);
            array.SetValue(Sample(element), 0);
            array.SetValue(Sample(element), 1);
            return array;
        }

        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
            ?? throw new InvalidOperationException($"{type.Name} has no public constructor; teach {nameof(Sample)} to build one.");
        return constructor.Invoke([.. constructor.GetParameters().Select(p => Sample(p.ParameterType))]);
    }
}
