"""Behaviour and fit scoring: rules as data, point-in-time scores, backtest, learned weights."""
