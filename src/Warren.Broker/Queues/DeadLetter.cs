using Warren.Broker.Messages;

namespace Warren.Broker.Queues;

/// <summary>Why a message was dead-lettered; the names are the x-death reasons.</summary>
public enum DeadLetterReason
{
    /// <summary>basic.reject or basic.nack without requeue: "rejected".</summary>
    Rejected,
    /// <summary>Its TTL passed: "expired".</summary>
    Expired,
    /// <summary>The queue was over x-max-length or x-max-length-bytes: "maxlen".</summary>
    MaxLength,
    /// <summary>Delivered more often than x-delivery-limit: "delivery_limit".</summary>
    DeliveryLimit,
}

/// <summary>A message leaving a queue for its dead-letter exchange.</summary>
internal readonly record struct DeadLetter(Message Message, DeadLetterReason Reason)
{
    public string ReasonText => Reason switch
    {
        DeadLetterReason.Rejected => "rejected",
        DeadLetterReason.Expired => "expired",
        DeadLetterReason.MaxLength => "maxlen",
        _ => "delivery_limit",
    };
}
