from leadfunnel.cli import app

app(prog_name="python -m leadfunnel")
