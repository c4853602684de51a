"""sqskit.engine"""
