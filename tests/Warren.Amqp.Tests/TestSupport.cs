using Warren.Broker.Messages;
using System.Collections;
using System.Reflection;
using System.Text;
using Warren.Amqp.Protocol;

namespace Warren.Amqp.Tests;

internal delegate T SpanReader<out T>(ReadOnlySpan<byte> source);

/// <summary>Structural equality for decoded values: tables, arrays and byte arrays by content.</summary>
internal static class Values
{
    public static bool AreEqual(object? expected, object? actual) => (expected, actual) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        // A string is written as a long string and comes back as its UTF-8 bytes.
        (string s, byte[] b) => Encoding.UTF8.GetBytes(s).AsSpan().SequenceEqual(b),
        (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
        (BinaryTableValue a, BinaryTableValue b) => a.Bytes.AsSpan().SequenceEqual(b.Bytes),
        (IDictionary<string, object?> a, IDictionary<string, object?> b) =>
            a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && AreEqual(kv.Value, v)),
        (IList a, IList b) => a.Count == b.Count && Enumerable.Range(0, a.Count).All(i => AreEqual(a[i], b[i])),
        _ => expected.Equals(actual),
    };

    public static void AssertEqual(object? expected, object? actual)
    {
        if (!AreEqual(expected, actual))
            Assert.Fail($"Expected {Describe(expected)}\nActual   {Describe(actual)}");
    }

    public static string Describe(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        byte[] b => $"byte[]{{{Convert.ToHexString(b)}}}",
        IDictionary<string, object?> d => "{" + string.Join(", ", d.Select(kv => $"{kv.Key}: {Describe(kv.Value)}")) + "}",
        IList l => "[" + string.Join(", ", l.Cast<object?>().Select(Describe)) + "]",
        _ => $"{value} ({value.GetType().Name})",
    };
}

internal static class MethodAssert
{
    /// <summary>Writes the method, checks size and id, reads it back and compares member by member.</summary>
    public static T RoundTrips<T>(T method, SpanReader<T> read) where T : struct, IAmqpMethod
    {
        var bytes = Write(method);
        Assert.Equal(method.MethodId, AmqpMethodId.Read(bytes));
        var back = read(bytes.AsSpan(4));
        AssertEqual(method, back);
        return back;
    }

    public static byte[] Write<T>(T method) where T : struct, IAmqpMethod
    {
        var buffer = new byte[method.GetSize() + 16];
        int written = method.WriteTo(buffer);
        Assert.Equal(method.GetSize(), written);
        return buffer[..written];
    }

    public static void AssertEqual<T>(T expected, T actual) where T : struct
    {
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var e = property.GetValue(expected);
            var a = property.GetValue(actual);
            if (!Values.AreEqual(e, a))
                Assert.Fail($"{typeof(T).Name}.{property.Name}: expected {Values.Describe(e)}, actual {Values.Describe(a)}");
        }
    }
}

/// <summary>Builds byte arrays from readable pieces: numbers as big-endian, strings with their length.</summary>
internal static class Bytes
{
    public static byte[] Of(params object[] parts)
    {
        var list = new List<byte>();
        foreach (var part in parts)
        {
            switch (part)
            {
                case byte b: list.Add(b); break;
                case int i: list.Add(checked((byte)i)); break;
                case char c: list.Add(checked((byte)c)); break;
                case byte[] bytes: list.AddRange(bytes); break;
                case string s: list.AddRange(Encoding.UTF8.GetBytes(s)); break;
                default: throw new ArgumentException(part.GetType().Name);
            }
        }
        return [.. list];
    }

    public static byte[] U16(int value) => [(byte)(value >> 8), (byte)value];

    public static byte[] U32(long value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    public static byte[] U64(ulong value) => [.. U32((long)(value >> 32)), .. U32((long)(value & 0xFFFFFFFF))];

    /// <summary>A short string: length octet then the ASCII text.</summary>
    public static byte[] Short(string s) => [(byte)Encoding.UTF8.GetByteCount(s), .. Encoding.UTF8.GetBytes(s)];

    /// <summary>A long string: 4-byte length then the text.</summary>
    public static byte[] Long(string s) => [.. U32(Encoding.UTF8.GetByteCount(s)), .. Encoding.UTF8.GetBytes(s)];
}
