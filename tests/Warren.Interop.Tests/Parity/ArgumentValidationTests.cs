using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests.Parity;

public abstract class ArgumentValidationTests(BrokerTarget target) : ParityTest(target)
{
    /// <summary>RabbitMQ.Client sends int as 'I' (signedint), long as 'l', string as 'S' (longstr), bool as 't', double as 'd'.</summary>
    [Theory]
    [InlineData("x-message-ttl", -1, "{value_negative,-1}")]
    [InlineData("x-message-ttl", "1000", "\"expected integer, got longstr\"")]
    [InlineData("x-message-ttl", 1.5, "\"expected integer, got double\"")]
    [InlineData("x-message-ttl", 99999999999999L, "{value_too_large,99999999999999}")]
    [InlineData("x-expires", 0, "{value_zero,0}")]
    [InlineData("x-expires", -1, "{value_negative,-1}")]
    [InlineData("x-expires", "1000", "\"expected integer, got longstr\"")]
    [InlineData("x-max-length", -1, "{value_negative,-1}")]
    [InlineData("x-max-length", "10", "\"expected integer, got longstr\"")]
    [InlineData("x-max-length-bytes", -1, "{value_negative,-1}")]
    [InlineData("x-max-priority", 256, "{max_value_exceeded,256}")]
    [InlineData("x-max-priority", -1, "{value_negative,-1}")]
    [InlineData("x-max-priority", "10", "\"expected integer, got longstr\"")]
    [InlineData("x-single-active-consumer", "true", "{unacceptable_type,longstr}")]
    [InlineData("x-single-active-consumer", 1, "{unacceptable_type,signedint}")]
    [InlineData("x-overflow", 1, "{unacceptable_type,signedint}")]
    [InlineData("x-queue-mode", "fast", "\"unsupported queue mode 'fast'\"")]
    [InlineData("x-queue-type", "fast", "\"unsupported queue type 'fast'\"")]
    public async Task An_invalid_queue_argument_is_refused_with_precondition_failed(string argument, object value, string reason)
    {
        var ch = await OpenChannelAsync();
        var q = NewName("q");

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => DeclareQueueAsync(ch, q, arguments: Args((argument, value))));

        AssertClose(ex.ShutdownReason!, 406, AsReplyText($"PRECONDITION_FAILED - invalid arg '{argument}' for queue '{q}' in vhost '/': {reason}"), 50, 10);
    }

    [Fact]
    public async Task A_dead_letter_routing_key_without_a_dead_letter_exchange_is_refused()
    {
        var ch = await OpenChannelAsync();
        var q = NewName("q");

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => DeclareQueueAsync(ch, q, arguments: Args(("x-dead-letter-routing-key", "k"))));

        AssertClose(ex.ShutdownReason!, 406,
            $"PRECONDITION_FAILED - invalid arg 'x-dead-letter-routing-key' for queue '{q}' in vhost '/': routing_key_but_no_dlx_defined", 50, 10);
    }

    [Theory]
    [InlineData("x-unknown-argument", "anything")]
    [InlineData("no-x-prefix", 42)]
    [InlineData("x-message-ttl", 0)]
    [InlineData("x-max-length", 0)]
    [InlineData("x-max-priority", 255)]
    [InlineData("x-max-priority", 0)]
    [InlineData("x-message-ttl", 1000L)]
    [InlineData("x-message-ttl", 4294967296L)]
    [InlineData("x-queue-mode", "lazy")]
    [InlineData("x-queue-mode", "default")]
    [InlineData("x-single-active-consumer", false)]
    [InlineData("x-queue-master-locator", "client-local")]
    [InlineData("x-queue-type", "classic")]
    public async Task An_accepted_queue_argument_declares_the_queue(string argument, object value)
    {
        var ch = await OpenChannelAsync();

        var q = await DeclareQueueAsync(ch, arguments: Args((argument, value)));

        await ch.QueueDeclarePassiveAsync(q, Ct);
    }

    [Fact]
    public async Task A_string_argument_of_the_wrong_type_is_refused_with_another_text()
    {
        var ch = await OpenChannelAsync();
        var q = NewName("q");

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => DeclareQueueAsync(ch, q, arguments: Args(("x-dead-letter-exchange", 5))));

        AssertClose(ex.ShutdownReason!, 406, $"PRECONDITION_FAILED - invalid type 'signedint' for arg 'x-dead-letter-exchange' in queue '{q}' in vhost '/'", 50, 10);
    }

    [Theory]
    [InlineData("x-delivery-limit", 1)]
    [InlineData("x-max-age", "1D")]
    public async Task A_quorum_or_stream_only_argument_on_a_classic_queue_is_refused(string argument, object value)
    {
        var ch = await OpenChannelAsync();
        var q = NewName("q");

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => DeclareQueueAsync(ch, q, arguments: Args((argument, value))));

        AssertClose(ex.ShutdownReason!, 406, $"PRECONDITION_FAILED - invalid arg '{argument}' for queue '{q}' in vhost '/' of queue type rabbit_classic_queue", 50, 10);
    }

    [Fact]
    public async Task A_non_durable_stream_queue_is_refused()
    {
        var ch = await OpenChannelAsync();
        var q = NewName("q");

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => DeclareQueueAsync(ch, q, arguments: Args(("x-queue-type", "stream"))));

        AssertClose(ex.ShutdownReason!, 406, $"PRECONDITION_FAILED - invalid property 'non-durable' for queue '{q}' in vhost '/'", 50, 10);
    }

    [Fact]
    public async Task A_non_durable_quorum_queue_is_refused()
    {
        var ch = await OpenChannelAsync();
        var q = NewName("q");

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => DeclareQueueAsync(ch, q, arguments: Args(("x-queue-type", "quorum"))));

        AssertClose(ex.ShutdownReason!, 406, $"PRECONDITION_FAILED - invalid property 'non-durable' for queue '{q}' in vhost '/'", 50, 10);
    }

    [Fact]
    public async Task An_alternate_exchange_argument_of_the_wrong_type_is_refused()
    {
        var ch = await OpenChannelAsync();
        var x = NewName("x");

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => DeclareExchangeAsync(ch, ExchangeType.Direct, x, arguments: Args(("alternate-exchange", 5))));

        AssertClose(ex.ShutdownReason!, 406, $"PRECONDITION_FAILED - invalid type 'signedint' for arg 'alternate-exchange' in exchange '{x}' in vhost '/'", 40, 10);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class ArgumentValidationTests_on_Warren(WarrenFixture f) : ArgumentValidationTests(f.Target);

public sealed class ArgumentValidationTests_on_RabbitMq(RabbitMqFixture f) : ArgumentValidationTests(f.Target);
