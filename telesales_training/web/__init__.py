"""What runs and serves: the notebook entry points (app), the Voilà server, JupyterHub, the CLI and the demo."""
