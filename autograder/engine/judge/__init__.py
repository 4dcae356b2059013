"""An answer judged from its lines' records (`engine.lines`), for the pipeline
(`engine.check`): a chain's steps decided and its ends (`chain`), statements linked by
⇔ and ⇒ (`statements`), and the key steps each shows or leaps over (`key_steps`).
"""
