using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Warren.Amqp.Connections;

namespace Warren.Amqp.Tests.Conversations;

/// <summary>How a connection that ends is logged (issue 10, defect 10).</summary>
public sealed class ConnectionFailureTests
{
    private sealed class RecordingLogger : ILogger
    {
        public readonly List<(LogLevel Level, Exception? Error)> Entries = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries) Entries.Add((logLevel, exception));
        }
    }

    /// <summary>A transport whose input fails with <paramref name="failure"/> on the first read.</summary>
    private sealed class FailingTransport(Exception failure) : IDuplexPipe
    {
        private readonly Pipe _output = new();

        public PipeReader Input { get; } = new FailingReader(failure);

        public PipeWriter Output => _output.Writer;

        private sealed class FailingReader(Exception failure) : PipeReader
        {
            public override void AdvanceTo(SequencePosition consumed) { }
            public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) { }
            public override void CancelPendingRead() { }
            public override void Complete(Exception? exception = null) { }
            public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) => ValueTask.FromException<ReadResult>(failure);
            public override bool TryRead(out ReadResult result) => throw failure;
        }
    }

    private static async Task<RecordingLogger> RunWithFailingInputAsync(Exception failure)
    {
        var logger = new RecordingLogger();
        var connection = new AmqpConnection(new Broker.Broker(), new FailingTransport(failure), AmqpOptions.Default, null, logger);
        await connection.RunAsync(CancellationToken.None).WaitAsync(PipeClient.Timeout);
        return logger;
    }

    [Fact]
    public async Task An_unexpected_failure_in_the_connection_loop_is_logged_as_an_error()
    {
        var bug = new InvalidOperationException("Collection was modified; enumeration operation may not execute.");

        var logger = await RunWithFailingInputAsync(bug);

        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error && ReferenceEquals(e.Error, bug));
    }

    [Fact]
    public async Task A_peer_that_goes_away_is_a_normal_end_logged_at_debug()
    {
        var gone = new IOException("Connection reset by peer");

        var logger = await RunWithFailingInputAsync(gone);

        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Debug && ReferenceEquals(e.Error, gone));
        Assert.DoesNotContain(logger.Entries, e => e.Level >= LogLevel.Warning);
    }
}
