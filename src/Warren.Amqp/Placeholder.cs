namespace Warren.Amqp;
internal static class AmqpPlaceholder { }
