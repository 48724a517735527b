/** Keeps one broken section (a chart that fails, an unexpected state) from blanking the whole panel. */
import { Component, type ReactNode } from 'react';

export class ErrorBoundary extends Component<{ children: ReactNode; what: string }, { error?: Error }> {
  override state: { error?: Error } = {};

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (this.state.error) return <p role="alert" className="error">{this.props.what} could not be shown: {this.state.error.message}</p>;
    return this.props.children;
  }
}
