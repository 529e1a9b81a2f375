using System.Collections.Concurrent;
using System.Linq.Expressions;

namespace Databacker.Api.Contracts.Serialization;

/// <summary>Creates extensible enumeration values from wire strings, with one compiled constructor call per type.</summary>
internal static class ExtensibleEnumFactory
{
    private static readonly ConcurrentDictionary<Type, Func<string, object>> Factories = new();

    public static object Create(Type type, string value) => Factories.GetOrAdd(type, Compile)(value);

    private static Func<string, object> Compile(Type type)
    {
        var constructor = type.GetConstructor([typeof(string)])
            ?? throw new InvalidOperationException($"{type} has no constructor taking its wire value.");
        var parameter = Expression.Parameter(typeof(string), "value");
        var body = Expression.Convert(Expression.New(constructor, parameter), typeof(object));
        return Expression.Lambda<Func<string, object>>(body, parameter).Compile();
    }
}
