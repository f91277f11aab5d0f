using System.Text;
using Warren.Broker.Routing;
using Xunit;

namespace Warren.Broker.Tests.Routing;

public sealed class HeadersMatchTests
{
    private static Dictionary<string, object?> Table(params (string Key, object? Value)[] fields) =>
        fields.ToDictionary(f => f.Key, f => f.Value);

    [Fact]
    public void All_is_the_default_and_needs_every_binding_key()
    {
        var binding = Table(("a", 1), ("b", "x"));
        Assert.True(HeadersMatch.Matches(binding, Table(("a", 1), ("b", "x"), ("c", true))));
        Assert.False(HeadersMatch.Matches(binding, Table(("a", 1))));
        Assert.False(HeadersMatch.Matches(binding, Table(("a", 1), ("b", "y"))));
    }

    [Fact]
    public void Any_needs_one_binding_key()
    {
        var binding = Table(("x-match", "any"), ("a", 1), ("b", "x"));
        Assert.True(HeadersMatch.Matches(binding, Table(("b", "x"))));
        Assert.False(HeadersMatch.Matches(binding, Table(("a", 2), ("b", "y"))));
        Assert.False(HeadersMatch.Matches(binding, null));
    }

    [Fact]
    public void All_with_no_binding_keys_matches_every_message()
    {
        Assert.True(HeadersMatch.Matches(Table(), null));
        Assert.True(HeadersMatch.Matches(null, Table(("a", 1))));
        Assert.True(HeadersMatch.Matches(Table(("x-match", "all"), ("x-other", 1)), Table()));
    }

    [Fact]
    public void Any_with_no_binding_keys_matches_no_message() =>
        Assert.False(HeadersMatch.Matches(Table(("x-match", "any")), Table(("a", 1))));

    [Fact]
    public void All_with_missing_headers_does_not_match() =>
        Assert.False(HeadersMatch.Matches(Table(("a", 1)), null));

    [Fact]
    public void Binding_keys_starting_with_x_are_ignored_by_all_and_any()
    {
        var all = Table(("x-match", "all"), ("x-tag", "t"), ("a", 1));
        Assert.True(HeadersMatch.Matches(all, Table(("a", 1))));
        var any = Table(("x-match", "any"), ("x-tag", "t"));
        Assert.False(HeadersMatch.Matches(any, Table(("x-tag", "t"))));
    }

    [Fact]
    public void All_with_x_compares_binding_keys_starting_with_x()
    {
        var binding = Table(("x-match", "all-with-x"), ("x-tag", "t"), ("a", 1));
        Assert.True(HeadersMatch.Matches(binding, Table(("x-tag", "t"), ("a", 1))));
        Assert.False(HeadersMatch.Matches(binding, Table(("a", 1))));
    }

    [Fact]
    public void Any_with_x_compares_binding_keys_starting_with_x()
    {
        var binding = Table(("x-match", "any-with-x"), ("x-tag", "t"));
        Assert.True(HeadersMatch.Matches(binding, Table(("x-tag", "t"))));
        Assert.False(HeadersMatch.Matches(binding, Table(("x-tag", "u"))));
    }

    [Fact]
    public void The_x_match_key_itself_never_takes_part()
    {
        var binding = Table(("x-match", "all-with-x"));
        Assert.True(HeadersMatch.Matches(binding, Table()));
        Assert.False(HeadersMatch.Matches(Table(("x-match", "any-with-x")), Table(("x-match", "any-with-x"))));
    }

    [Fact]
    public void An_unknown_x_match_value_means_all_as_in_RabbitMQ_legacy_bindings()
    {
        var binding = Table(("x-match", "some"), ("a", 1), ("b", 2));
        Assert.False(HeadersMatch.Matches(binding, Table(("a", 1))));
        Assert.True(HeadersMatch.Matches(binding, Table(("a", 1), ("b", 2))));
    }

    [Fact]
    public void An_x_match_sent_as_bytes_is_read_as_text() =>
        Assert.True(HeadersMatch.Matches(Table(("x-match", "any"u8.ToArray()), ("a", 1), ("b", 2)), Table(("b", 2))));

    [Fact]
    public void A_void_binding_value_matches_any_value_of_a_present_header()
    {
        var binding = Table(("a", null));
        Assert.True(HeadersMatch.Matches(binding, Table(("a", 42))));
        Assert.True(HeadersMatch.Matches(binding, Table(("a", "text"))));
        Assert.True(HeadersMatch.Matches(binding, Table(("a", null))));
        Assert.False(HeadersMatch.Matches(binding, Table(("b", 42))));
    }

    [Fact]
    public void A_void_header_does_not_match_a_binding_value() =>
        Assert.False(HeadersMatch.Matches(Table(("a", 1)), Table(("a", null))));

    [Fact]
    public void Integers_of_different_widths_compare_by_value()
    {
        Assert.True(HeadersMatch.Matches(Table(("a", 5)), Table(("a", 5L))));
        Assert.True(HeadersMatch.Matches(Table(("a", (byte)5)), Table(("a", (short)5))));
        Assert.True(HeadersMatch.Matches(Table(("a", uint.MaxValue)), Table(("a", (long)uint.MaxValue))));
        Assert.False(HeadersMatch.Matches(Table(("a", (sbyte)-1)), Table(("a", (byte)255))));
    }

    [Fact]
    public void Integers_and_floats_compare_by_value_as_Erlang_equality_does()
    {
        Assert.True(HeadersMatch.Matches(Table(("a", 1)), Table(("a", 1.0))));
        Assert.True(HeadersMatch.Matches(Table(("a", 0.5f)), Table(("a", 0.5))));
        Assert.False(HeadersMatch.Matches(Table(("a", 1)), Table(("a", 1.5))));
    }

    [Fact]
    public void Decimals_compare_by_scale_and_digits()
    {
        Assert.True(HeadersMatch.Matches(Table(("a", 1.50m)), Table(("a", 1.50m))));
        Assert.False(HeadersMatch.Matches(Table(("a", 1.50m)), Table(("a", 1.5m))));
        Assert.False(HeadersMatch.Matches(Table(("a", 1m)), Table(("a", 1))));
    }

    [Fact]
    public void Booleans_equal_only_booleans()
    {
        Assert.True(HeadersMatch.Matches(Table(("a", true)), Table(("a", true))));
        Assert.False(HeadersMatch.Matches(Table(("a", true)), Table(("a", false))));
        Assert.False(HeadersMatch.Matches(Table(("a", true)), Table(("a", 1))));
        Assert.False(HeadersMatch.Matches(Table(("a", "true")), Table(("a", true))));
    }

    [Fact]
    public void A_string_equals_bytes_holding_its_UTF8()
    {
        Assert.True(HeadersMatch.Matches(Table(("a", "héllo")), Table(("a", Encoding.UTF8.GetBytes("héllo")))));
        Assert.True(HeadersMatch.Matches(Table(("a", Encoding.UTF8.GetBytes("héllo"))), Table(("a", "héllo"))));
        Assert.True(HeadersMatch.Matches(Table(("a", "x"u8.ToArray())), Table(("a", "x"u8.ToArray()))));
        Assert.False(HeadersMatch.Matches(Table(("a", "hello")), Table(("a", "hell"u8.ToArray()))));
        Assert.False(HeadersMatch.Matches(Table(("a", "hell")), Table(("a", "hello"u8.ToArray()))));
    }

    [Fact]
    public void Strings_compare_ordinally() =>
        Assert.False(HeadersMatch.Matches(Table(("a", "X")), Table(("a", "x"))));

    [Fact]
    public void Strings_never_equal_numbers() =>
        Assert.False(HeadersMatch.Matches(Table(("a", "1")), Table(("a", 1))));

    [Fact]
    public void Timestamps_compare_at_second_resolution()
    {
        var t = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);
        Assert.True(HeadersMatch.Matches(Table(("a", t)), Table(("a", t.AddMilliseconds(300)))));
        Assert.False(HeadersMatch.Matches(Table(("a", t)), Table(("a", t.AddSeconds(1)))));
    }

    [Fact]
    public void Nested_tables_and_arrays_compare_by_content()
    {
        var binding = Table(("t", Table(("k", 1), ("s", "v"))), ("l", new List<object?> { 1, "x" }));
        Assert.True(HeadersMatch.Matches(binding,
            Table(("t", Table(("s", "v"u8.ToArray()), ("k", 1L))), ("l", new List<object?> { 1L, "x" }))));
        Assert.False(HeadersMatch.Matches(binding,
            Table(("t", Table(("k", 1))), ("l", new List<object?> { 1, "x" }))));
        Assert.False(HeadersMatch.Matches(binding,
            Table(("t", Table(("k", 1), ("s", "v"))), ("l", new List<object?> { "x", 1 }))));
    }

    [Theory]
    [InlineData("all")]
    [InlineData("any")]
    [InlineData("all-with-x")]
    [InlineData("any-with-x")]
    [InlineData(null)]
    public void Known_or_absent_x_match_values_are_valid(string? value)
    {
        Assert.True(HeadersMatch.IsValidXMatch(value, out var error));
        Assert.Null(error);
        if (value is not null)
        {
            Assert.True(HeadersMatch.IsValidXMatch(Encoding.UTF8.GetBytes(value), out _));
        }
    }

    [Fact]
    public void An_unknown_x_match_value_is_rejected_with_RabbitMQ_text()
    {
        Assert.False(HeadersMatch.IsValidXMatch("ALL", out var error));
        Assert.Equal("Invalid x-match field value <<\"ALL\">>; expected all, any, all-with-x, or any-with-x", error);
    }

    [Fact]
    public void An_x_match_that_is_not_a_string_is_rejected_with_its_type()
    {
        Assert.False(HeadersMatch.IsValidXMatch(1, out var error));
        Assert.Equal("Invalid x-match field type signedint (value 1); expected longstr", error);
        Assert.False(HeadersMatch.IsValidXMatch(true, out error));
        Assert.Equal("Invalid x-match field type bool (value true); expected longstr", error);
    }
}
