namespace Warren.Broker.Messages;

/// <summary>A field-table byte array (RabbitMQ's type 'x'), kept apart from a long string ('S', decoded as byte[]).</summary>
public sealed record BinaryTableValue(byte[] Bytes);
