import { Page } from '../components/Page';

export default function NotFound() {
  return (
    <Page title="Page not found">
      <p>There is no page at this address. Your portfolio is safe on this device.</p>
      <a class="button" href="/">
        Go to your portfolio
      </a>
    </Page>
  );
}
