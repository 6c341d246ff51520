import { formatDateTime } from "../format.ts";
import type { PhoneNumber } from "../types.ts";
import { EmptyState, ErrorMessage, Loading, PageTitle } from "../ui.tsx";
import { useApi } from "../use-api.ts";

/** The phone numbers (DIDs) the account owns; calls to them ring the account's phones. */
export function NumbersPage() {
  const numbers = useApi<{ items: PhoneNumber[] }>("/numbers");
  const list = numbers.data?.items ?? [];
  return (
    <>
      <PageTitle lead="Numbers people can call to reach your phones.">Numbers</PageTitle>
      <ErrorMessage error={numbers.error} />
      {numbers.loading && !numbers.data ? <Loading what="numbers" /> : null}
      {numbers.data && list.length === 0 ? (
        <EmptyState title="You have no phone numbers yet">
          <p>
            You can call out without one: your calls show your account’s caller ID. To be reachable on a
            number, ask support for one.
          </p>
        </EmptyState>
      ) : null}
      {list.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Your numbers</caption>
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Yours since</th>
              </tr>
            </thead>
            <tbody>
              {list.map((number) => (
                <tr key={number.e164}>
                  <td>{number.e164}</td>
                  <td>{formatDateTime(number.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
