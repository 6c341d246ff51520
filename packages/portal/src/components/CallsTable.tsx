import { formatDateTime, formatDuration, formatMoney } from "../format.ts";
import type { Cdr } from "../types.ts";

const DIRECTION: Record<Cdr["direction"], string> = {
  outbound: "Outgoing",
  inbound: "Incoming",
  onnet: "Between your phones",
};

/** Why an unanswered call ended, in words, from its SIP status. */
function unansweredReason(status: number | null | undefined): string {
  switch (status) {
    case 402:
      return "Not enough credit";
    case 403:
      return "Refused";
    case 404:
      return "Number not found";
    case 408:
    case 480:
      return "No answer";
    case 486:
    case 600:
      return "Busy";
    case 487:
      return "Cancelled";
    case 503:
      return "No route available";
    default:
      return "Not answered";
  }
}

/** Call records as a table; each number and reason renders as text. */
export function CallsTable({ calls, caption }: { calls: Cdr[]; caption: string }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Direction</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Status</th>
            <th scope="col" className="number">
              Duration
            </th>
            <th scope="col" className="number">
              Cost
            </th>
          </tr>
        </thead>
        <tbody>
          {calls.map((call) => (
            <tr key={call.id} data-call-id={call.callId}>
              <td>{formatDateTime(call.startedAt)}</td>
              <td>{DIRECTION[call.direction] ?? call.direction}</td>
              <td>{call.source}</td>
              <td>{call.destination}</td>
              <td>
                {call.answeredAt ? (
                  <span className="badge good">Answered</span>
                ) : (
                  <span className="badge neutral">{unansweredReason(call.sipStatus)}</span>
                )}
              </td>
              <td className="number">{formatDuration(call.durationSeconds)}</td>
              <td className="number">{formatMoney(call.cost, call.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
