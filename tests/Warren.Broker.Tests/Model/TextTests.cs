using System.Text;
using Warren.Broker.Text;
using Xunit;

namespace Warren.Broker.Tests.Model;

public sealed class TextTests
{
    public static TheoryData<byte[]> Samples => new()
    {
        Array.Empty<byte>(),
        "plain ascii"u8.ToArray(),
        "é 😀 ü"u8.ToArray(),
        Enumerable.Repeat((byte)0xFF, 255).ToArray(),
        new byte[] { 0xC3 },                         // a lead byte with nothing after it
        new byte[] { 0xED, 0xB2, 0x80 },              // the UTF-8 form of a lone surrogate (U+DC80): invalid
        new byte[] { (byte)'a', 0xF0, 0x9F, 0x98, (byte)'b', 0x80, 0xC0, 0xAF },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Opaque_text_gives_back_the_bytes_it_was_decoded_from(byte[] bytes)
    {
        var text = OpaqueText.Decode(bytes);

        Assert.Equal(bytes.Length, OpaqueText.GetByteCount(text));
        Assert.Equal(bytes, OpaqueText.GetBytes(text));
    }

    [Fact]
    public void Opaque_text_decodes_valid_utf8_as_the_usual_string()
    {
        Assert.Equal("é 😀", OpaqueText.Decode("é 😀"u8));
        Assert.Equal(Encoding.UTF8.GetBytes("é 😀"), OpaqueText.GetBytes("é 😀"));
    }

    [Theory]
    [InlineData("short", "short")]
    [InlineData("é", "é")]
    public void Short_text_that_fits_is_left_alone(string text, string expected) => Assert.Equal(expected, ShortText.Fit(text));

    [Theory]
    [InlineData("a", 300)]
    [InlineData("é", 200)]
    [InlineData("😀", 100)]
    [InlineData("€", 90)]
    public void Short_text_is_cut_by_bytes_on_a_character_boundary(string unit, int count)
    {
        var fitted = ShortText.Fit(string.Concat(Enumerable.Repeat(unit, count)));

        Assert.True(Encoding.UTF8.GetByteCount(fitted) <= ShortText.MaxBytes);
        Assert.EndsWith("...", fitted);
        Assert.Equal(fitted, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(fitted)));
        Assert.True(Encoding.UTF8.GetByteCount(fitted) > ShortText.MaxBytes - 4 - 3);
    }
}
