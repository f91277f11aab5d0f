using System.Text;
using Warren.Messaging.Configuration;
using Warren.Messaging.Transports;
using Xunit;

namespace Warren.Messaging.Tests;

/// <summary>The envelope's header table as other AMQP clients see it (docs/messaging.md, "On the wire").</summary>
public sealed class EnvelopeTests
{
    [Fact]
    public void Intent_and_sent_time_travel_as_a_text_and_unix_milliseconds_and_come_back_as_members()
    {
        var sent = new DateTimeOffset(2026, 11, 27, 1, 2, 3, 456, TimeSpan.Zero);
        var message = new TransportMessage { Intent = MessageIntent.Command, Timestamp = sent };
        message.Headers["tenant"] = "acme";

        var table = HeaderValues.ToTable(message)!;

        Assert.Equal("command", table[WarrenHeaders.Intent]);
        Assert.Equal(sent.ToUnixTimeMilliseconds(), table[WarrenHeaders.SentTime]);
        Assert.Equal("acme", table["tenant"]);

        // What RabbitMQ.Client hands over: long strings as bytes.
        var received = new TransportMessage();
        HeaderValues.FromTable(table.Select(e => KeyValuePair.Create(e.Key, e.Value is string s ? (object?)Encoding.UTF8.GetBytes(s) : e.Value)), received);

        Assert.Equal(MessageIntent.Command, received.Intent);
        Assert.Equal(sent, received.Timestamp);
        Assert.Equal(new Dictionary<string, string> { ["tenant"] = "acme" }, received.Headers);
    }

    [Fact]
    public void A_message_with_nothing_to_say_has_no_header_table_and_no_header_dictionary()
    {
        var message = new TransportMessage { MessageId = "m1" };

        Assert.Null(HeaderValues.ToTable(message));
        Assert.Equal(0, message.HeaderCount);
        Assert.Empty(message.HeadersOrEmpty);
    }

    [Theory]
    [InlineData("2026-11-27T01:02:03.4560000+00:00")]
    [InlineData("2026-11-27T01:02:03.456Z")]
    public void An_iso_8601_sent_time_from_another_writer_is_read_too(string text)
    {
        var received = new TransportMessage();
        HeaderValues.FromTable([KeyValuePair.Create<string, object?>(WarrenHeaders.SentTime, Encoding.UTF8.GetBytes(text))], received);

        Assert.Equal(new DateTimeOffset(2026, 11, 27, 1, 2, 3, 456, TimeSpan.Zero), received.Timestamp);
    }

    [Theory]
    [InlineData(42)]
    [InlineData(1_790_000_000_123L)]
    public void A_sent_time_of_any_integer_width_is_read(long ms)
    {
        var received = new TransportMessage();
        object value = ms <= int.MaxValue ? (int)ms : ms;
        HeaderValues.FromTable([KeyValuePair.Create<string, object?>(WarrenHeaders.SentTime, value)], received);

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(ms), received.Timestamp);
    }

    [Fact]
    public void An_unknown_intent_or_an_unreadable_sent_time_is_left_out_rather_than_guessed()
    {
        var received = new TransportMessage();
        HeaderValues.FromTable(
        [
            KeyValuePair.Create<string, object?>(WarrenHeaders.Intent, Encoding.UTF8.GetBytes("gossip")),
            KeyValuePair.Create<string, object?>(WarrenHeaders.SentTime, Encoding.UTF8.GetBytes("yesterday")),
        ], received);

        Assert.Null(received.Intent);
        Assert.Null(received.Timestamp);
        Assert.Equal(0, received.HeaderCount);
    }

    [Theory]
    [InlineData("event", MessageIntent.Event)]
    [InlineData("command", MessageIntent.Command)]
    [InlineData("request", MessageIntent.Request)]
    [InlineData("reply", MessageIntent.Reply)]
    public void An_intent_reads_the_same_as_text_or_as_bytes(string text, MessageIntent expected)
    {
        var fromText = new TransportMessage();
        var fromBytes = new TransportMessage();
        HeaderValues.FromTable([KeyValuePair.Create<string, object?>(WarrenHeaders.Intent, text)], fromText);
        HeaderValues.FromTable([KeyValuePair.Create<string, object?>(WarrenHeaders.Intent, Encoding.UTF8.GetBytes(text))], fromBytes);

        Assert.Equal(expected, fromText.Intent);
        Assert.Equal(expected, fromBytes.Intent);
    }
}
