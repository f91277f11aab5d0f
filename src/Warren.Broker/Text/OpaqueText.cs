using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Warren.Broker.Text;

/// <summary>
/// Text a client sent as bytes that the broker must hand on byte for byte (routing keys and
/// message properties), held as a .NET string without losing anything. Valid UTF-8 decodes as
/// usual. Each byte of an invalid sequence becomes the lone low surrogate U+DC80..U+DCFF (the
/// "surrogate escape" of Python's PEP 383), which valid UTF-8 never produces; encoding turns those
/// back into the original bytes. So decode then encode gives the bytes sent, and the encoded size
/// never grows (issue 10, defect 2: replacement characters made a 255-byte key 765 bytes).
/// </summary>
public static class OpaqueText
{
    private const char EscapeBase = '\uDC00';
    private const char FirstEscape = '\uDC80';
    private const char LastEscape = '\uDCFF';

    /// <summary>Decodes bytes; invalid UTF-8 is kept as escapes, never replaced.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return string.Empty;
        if (Utf8.IsValid(bytes)) return Encoding.UTF8.GetString(bytes);
        return DecodeEscaping(bytes);
    }

    private static string DecodeEscaping(ReadOnlySpan<byte> bytes)
    {
        // Never more chars than bytes: every byte is at most one char (escaped or ASCII).
        var rented = ArrayPool<char>.Shared.Rent(bytes.Length);
        try
        {
            var chars = rented.AsSpan();
            var written = 0;
            while (!bytes.IsEmpty)
            {
                var status = Utf8.ToUtf16(bytes, chars[written..], out var read, out var produced, replaceInvalidSequences: false, isFinalBlock: true);
                written += produced;
                bytes = bytes[read..];
                if (status == OperationStatus.Done) break;
                // InvalidData: escape the one byte that cannot start a sequence here, then go on.
                chars[written++] = (char)(EscapeBase + bytes[0]);
                bytes = bytes[1..];
            }
            return new string(chars[..written]);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>True when the text holds escaped bytes or other lone surrogates (anything not plain UTF-16 text).</summary>
    private static bool MayNeedEscaping(ReadOnlySpan<char> text) => text.ContainsAny(Surrogates);

    // SearchValues rather than IndexOfAnyInRange, which allocates on every call in a Debug build.
    private static readonly SearchValues<char> Surrogates = SearchValues.Create(BuildSurrogates());

    private static char[] BuildSurrogates()
    {
        var all = new char[0xE000 - 0xD800];
        for (var i = 0; i < all.Length; i++) all[i] = (char)(0xD800 + i);
        return all;
    }

    /// <summary>The number of bytes <see cref="Encode"/> writes.</summary>
    public static int GetByteCount(ReadOnlySpan<char> text)
    {
        if (!MayNeedEscaping(text)) return Encoding.UTF8.GetByteCount(text);
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 0x80) count += 1;
            else if (c < 0x800) count += 2;
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                count += 4;
                i++;
            }
            else if (c is >= FirstEscape and <= LastEscape) count += 1;
            else count += 3; // a BMP char, or a lone surrogate written as U+FFFD
        }
        return count;
    }

    /// <summary>Encodes text as UTF-8, escapes back to their original bytes; returns the bytes written.</summary>
    public static int Encode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (!MayNeedEscaping(text)) return Encoding.UTF8.GetBytes(text, destination);
        var written = 0;
        while (!text.IsEmpty)
        {
            var status = Utf8.FromUtf16(text, destination[written..], out var read, out var produced, replaceInvalidSequences: false, isFinalBlock: true);
            written += produced;
            text = text[read..];
            if (status == OperationStatus.Done) break;
            if (status == OperationStatus.DestinationTooSmall) throw new ArgumentException("The destination is too small.", nameof(destination));
            var c = text[0];
            if (c is >= FirstEscape and <= LastEscape) destination[written++] = (byte)(c - EscapeBase);
            else
            {
                // A lone surrogate that is not an escape (not from the wire): U+FFFD, as Encoding.UTF8 writes it.
                "\uFFFD"u8.CopyTo(destination[written..]);
                written += 3;
            }
            text = text[1..];
        }
        return written;
    }

    /// <summary>The bytes of the text, escapes restored.</summary>
    public static byte[] GetBytes(string text)
    {
        var bytes = new byte[GetByteCount(text)];
        Encode(text, bytes);
        return bytes;
    }
}
