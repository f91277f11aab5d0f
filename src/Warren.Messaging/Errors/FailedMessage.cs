using System.Globalization;
using Warren.Messaging.Transports;

namespace Warren.Messaging;

/// <summary>A message in an error queue, with why it failed.</summary>
/// <param name="MessageId">Its id.</param>
/// <param name="Name">Its message name.</param>
/// <param name="Queue">The queue it failed in.</param>
/// <param name="ExceptionType">The handler's exception type.</param>
/// <param name="ExceptionMessage">The exception's message.</param>
/// <param name="StackTrace">The stack trace.</param>
/// <param name="Attempts">Attempts made.</param>
/// <param name="FailedAt">When it was parked.</param>
/// <param name="Body">The JSON body.</param>
public sealed record FailedMessage(string? MessageId, string? Name, string? Queue, string? ExceptionType, string? ExceptionMessage, string? StackTrace, int Attempts, DateTimeOffset? FailedAt, ReadOnlyMemory<byte> Body)
{
    internal static FailedMessage From(TransportMessage message)
    {
        var h = message.HeadersOrEmpty;
        return new FailedMessage(message.MessageId, message.Type, h.GetValueOrDefault(WarrenHeaders.ErrorQueue), h.GetValueOrDefault(WarrenHeaders.ErrorType),
            h.GetValueOrDefault(WarrenHeaders.ErrorMessage), h.GetValueOrDefault(WarrenHeaders.ErrorStackTrace),
            int.TryParse(h.GetValueOrDefault(WarrenHeaders.ErrorAttempts), CultureInfo.InvariantCulture, out var attempts) ? attempts : 0,
            DateTimeOffset.TryParse(h.GetValueOrDefault(WarrenHeaders.ErrorTime), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null,
            message.Body);
    }
}
