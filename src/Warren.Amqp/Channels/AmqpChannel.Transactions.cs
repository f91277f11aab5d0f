using Warren.Amqp.Connections;
using Warren.Amqp.Protocol;
using Warren.Broker.Messages;

namespace Warren.Amqp.Channels;

// tx.select / commit / rollback: publishes and settlements are held until commit; commit-ok is
// sent once the committed persistent messages are on disk.
internal sealed partial class AmqpChannel
{
    private bool _txMode;
    private List<(BasicPublish Publish, Message Message)>? _txPublishes;
    private List<(List<Unacked> Deliveries, Outcome Outcome)>? _txSettles;
    private long _commitTicket; // guarded by _confirmLock; 0 when no commit waits for the disk

    private void OnTxSelect()
    {
        if (_confirmMode) throw AmqpException.Channel(ReplyCode.PreconditionFailed, "cannot switch from confirm to tx mode", TxSelect.Id);
        if (!_txMode)
        {
            _txMode = true;
            _connection.Storage?.AddListener(this);
        }
        Send(new TxSelectOk());
    }

    private void OnTxCommit()
    {
        if (!_txMode) throw AmqpException.Channel(ReplyCode.PreconditionFailed, "channel is not transactional", TxCommit.Id);
        long ticket = 0;
        if (_txPublishes is { } publishes)
        {
            _txPublishes = null;
            foreach (var (publish, message) in publishes) ticket = Math.Max(ticket, Route(publish, message).DurabilityTicket);
        }
        if (_txSettles is { } settles)
        {
            _txSettles = null;
            foreach (var (deliveries, outcome) in settles) SettleTaken(deliveries, outcome);
        }
        lock (_confirmLock)
        {
            if (ticket > DurableTicket)
            {
                _commitTicket = ticket;
                return;
            }
        }
        Send(new TxCommitOk());
    }

    private void OnDurableForTransaction(long durableTicket)
    {
        lock (_confirmLock)
        {
            if (_commitTicket == 0 || _commitTicket > durableTicket) return;
            _commitTicket = 0;
        }
        if (!IsClosing) Send(new TxCommitOk());
    }

    private void OnTxRollback()
    {
        if (!_txMode) throw AmqpException.Channel(ReplyCode.PreconditionFailed, "channel is not transactional", TxRollback.Id);
        DiscardTransaction();
        Send(new TxRollbackOk());
    }

    // Drops held publishes and puts held acknowledgements back into the unacked set.
    private void DiscardTransaction()
    {
        _txPublishes = null;
        if (_txSettles is not { } settles) return;
        _txSettles = null;
        var deliveries = new List<Unacked>();
        foreach (var (taken, _) in settles) deliveries.AddRange(taken);
        lock (_deliveryLock) _unacked.Restore(deliveries);
    }
}
