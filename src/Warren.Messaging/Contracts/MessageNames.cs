using System.Collections.Concurrent;
using System.Reflection;
using System.Text;

namespace Warren.Messaging;

/// <summary>Maps message types to their wire names (attribute first, then the convention).</summary>
public static class MessageNames
{
    private static readonly ConcurrentDictionary<Type, string> s_names = new();

    /// <summary>The wire name of <paramref name="type"/>.</summary>
    public static string Of(Type type) => s_names.GetOrAdd(type, static t => Compute(t));

    /// <summary>The wire name of <typeparamref name="T"/>.</summary>
    public static string Of<T>() => Of(typeof(T));

    private static string Compute(Type type)
    {
        var name = type.GetCustomAttribute<MessageAttribute>()?.Name ?? KebabCase(type.Name);
        Validate(name, type);
        return name;
    }

    private static void Validate(string name, Type type)
    {
        if (name.Length is 0 or > 200) throw new ArgumentException($"Message name of {type} must have 1 to 200 characters: '{name}'.", nameof(type));
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            {
                throw new ArgumentException($"Message name '{name}' of {type} may contain only letters, digits, '.', '-' and '_'.", nameof(type));
            }
        }
    }

    /// <summary>OrderPlaced → order-placed; a generic's arity suffix is dropped.</summary>
    internal static string KebabCase(string typeName)
    {
        var tick = typeName.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0) typeName = typeName[..tick];
        var builder = new StringBuilder(typeName.Length + 8);
        for (var i = 0; i < typeName.Length; i++)
        {
            var c = typeName[i];
            if (char.IsUpper(c))
            {
                var previousLower = i > 0 && (char.IsLower(typeName[i - 1]) || char.IsDigit(typeName[i - 1]));
                var acronymEnd = i > 0 && char.IsUpper(typeName[i - 1]) && i + 1 < typeName.Length && char.IsLower(typeName[i + 1]);
                if (previousLower || acronymEnd) builder.Append('-');
                builder.Append(char.ToLowerInvariant(c));
            }
            else builder.Append(c);
        }
        return builder.ToString();
    }
}
